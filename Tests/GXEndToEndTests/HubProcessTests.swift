import Foundation
import GXTestSupport
import Testing

@Suite("gx clients against a gx hub process over loopback")
struct HubProcessTests {
    /// A hub process serving a copy of the quickstart's database.
    func servingQuickstartCopy() async throws -> (HubProcess, Quickstart.Run, URL) {
        let run = try await Quickstart.run()
        let dir = try temporaryDirectory("hubproc")
        try FileManager.default.copyItem(atPath: run.hubDatabase, toPath: dir.appendingPathComponent("hub.sqlite").path)
        try FileManager.default.copyItem(atPath: run.state.appendingPathComponent("hub/hub.key").path, toPath: dir.appendingPathComponent("hub.key").path)
        return await (try HubProcess(database: dir.appendingPathComponent("hub.sqlite").path, directory: dir), run, dir)
    }

    @Test("an admin suspends and resumes an agreement from the CLI, and the auditor sees both acts")
    func suspendAndResumeFromCLI() async throws {
        let (hub, run, _) = try await servingQuickstartCopy()
        defer { hub.stop() }
        let admin = ["--hub", hub.url, "--token-file", run.adminToken]
        let suspended = try await GXBinary.run(["agreement", "suspend", "BJ-GX-2026-003", "--reason", "整改期间暂停"] + admin)
        #expect(suspended.status == 0, "\(suspended.stderr)")
        #expect(suspended.stdout.contains("BJ-GX-2026-003: suspended"))
        let resumed = try await GXBinary.run(["agreement", "resume", "BJ-GX-2026-003", "--reason", "整改完成"] + admin)
        #expect(resumed.stdout.contains("BJ-GX-2026-003: active"))
        let listed = try await GXBinary.run(["audit", "list", "--agreement", "BJ-GX-2026-003", "--json", "--hub", hub.url, "--token-file", run.auditorToken])
        #expect(listed.status == 0)
        #expect(listed.stdout.contains("agreement.suspended") && listed.stdout.contains("agreement.resumed"))
        #expect(listed.stdout.contains("整改期间暂停"))
    }

    @Test("an auditor's write is refused with 403 and a clear message")
    func auditorCannotWrite() async throws {
        let (hub, run, _) = try await servingQuickstartCopy()
        defer { hub.stop() }
        let result = try await GXBinary.run(["agreement", "revoke", "BJ-GX-2026-001", "--reason", "x", "--hub", hub.url, "--token-file", run.auditorToken])
        #expect(result.status != 0)
        #expect(result.stderr.contains("403") && result.stderr.contains("auditor:auditor may not"), "\(result.stderr)")
    }

    @Test("a client without a credential is told how to give one")
    func missingCredential() async throws {
        let result = try await GXBinary.run(["agencies", "list", "--hub", "http://127.0.0.1:9"], environment: ["GX_TOKEN": "", "GX_TOKEN_FILE": "/nonexistent"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("cannot read the token file"))
    }

    @Test("the online verify fetches the export and checks it")
    func onlineVerify() async throws {
        let (hub, run, _) = try await servingQuickstartCopy()
        defer { hub.stop() }
        let result = try await GXBinary.run(["audit", "verify", "--hub", hub.url, "--token-file", run.auditorToken, "--pub", run.hubPublicKey])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("audit chain intact"))
    }

    @Test("the hub exits cleanly on SIGTERM")
    func sigtermExitsCleanly() async throws {
        let (hub, _, _) = try await servingQuickstartCopy()
        #expect(try await hub.terminate() == 0)
    }
}
