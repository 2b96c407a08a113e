import Foundation
import GXTestSupport
import Testing

/// The quickstart's last lines: where the console is and which token file signs in as whom; and
/// `GX_KEEP_SERVING=1` leaving a hub a person can sign in to, until interrupted.
@Suite("Quickstart: the console at the end")
struct QuickstartConsoleTests {
    @Test("the quickstart ends by printing the console's address and which token file signs in as whom")
    func printsConsoleAndTokens() async throws {
        let run = try await Quickstart.run()
        let out = run.result.stdout
        #expect(out.contains(#/== the console: http://127\.0\.0\.1:\d+/console/ /#))
        #expect(out.contains("\(run.adminToken)    the authority (admin)"))
        #expect(out.contains("\(run.auditorToken)  the auditor"))
        #expect(out.contains("\(run.agencyFile("111100000000210552", "token"))  北京市公安局"))
        #expect(out.contains("run with GX_KEEP_SERVING=1 to keep it serving"))
    }

    @Test("with GX_KEEP_SERVING=1 the hub keeps serving: the console signs the auditor in; SIGTERM to the script stops the hub")
    func keepsServing() async throws {
        let state = try temporaryDirectory("quickstart-serving")
        let output = state.appendingPathComponent("quickstart.out")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let script = Process()
        // Through python3 only to clear the signal mask this test process's threads hand their children, so the
        // script sees the SIGTERM below as it would a person's Ctrl-C.
        script.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        script.arguments = ["python3", "-c", "import os, signal; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execvp('bash', ['bash', 'scripts/quickstart.sh'])"]
        script.currentDirectoryURL = SampleDocuments.root
        script.environment = ProcessInfo.processInfo.environment.merging(
            ["GX_BIN": GXBinary.path, "GX_STATE": state.appendingPathComponent("state").path, "GX_ROWS": "300", "GX_KEEP_SERVING": "1"]) { $1 }
        script.standardOutput = try FileHandle(forWritingTo: output)
        script.standardError = FileHandle.nullDevice
        try script.run()
        defer { if script.isRunning { script.terminate() } }

        var hub: String?
        for _ in 0..<1200 where hub == nil {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            hub = text.firstMatch(of: #/== the hub serves at (http://127\.0\.0\.1:\d+) until Ctrl-C/#).map { String($0.1) }
            if hub == nil {
                try #require(script.isRunning, "the quickstart ended: \(text.suffix(2000))")
                try await Task.sleep(for: .milliseconds(250))
            }
        }
        let url = try #require(hub)
        // The hub announced may still be binding its port.
        let jar = state.appendingPathComponent("cookies").path
        var page: String?
        for _ in 0..<100 where page == nil {
            let form = try await ProcessRunner.run("/usr/bin/curl", ["-fsS", "-c", jar, "\(url)/console/"])
            if form.status == 0 { page = form.stdout } else { try await Task.sleep(for: .milliseconds(100)) }
        }
        let signInPage = try #require(page, "the console did not answer at \(url)")
        let csrf = try #require(signInPage.firstMatch(of: #/name="csrf" value="([0-9a-f]+)"/#).map { String($0.1) })
        let token = try String(contentsOf: state.appendingPathComponent("state/hub/auditor.token"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let signIn = try await ProcessRunner.run("/usr/bin/curl", ["-sS", "-b", jar, "-c", jar, "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}",
                                                                  "--data-urlencode", "csrf=\(csrf)", "--data-urlencode", "token=\(token)", "\(url)/console/sign-in"])
        #expect(signIn.stdout == "303 \(url)/console/overview", "\(signIn.stdout)\(signIn.stderr)")
        let audit = try await ProcessRunner.run("/usr/bin/curl", ["-fsS", "-b", jar, "\(url)/console/audit?action=batch.received"])
        #expect(audit.status == 0 && audit.stdout.contains("batch.received"))

        script.terminate()
        for _ in 0..<200 where script.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!script.isRunning)
        var stopped = false
        for _ in 0..<100 where !stopped {
            stopped = try await ProcessRunner.run("/usr/bin/curl", ["-fsS", "-o", "/dev/null", "\(url)/healthz"]).status != 0
            if !stopped { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(stopped, "the hub kept serving after the quickstart was stopped")
    }
}
