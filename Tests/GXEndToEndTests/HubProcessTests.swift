import Foundation
import GRDB
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

    /// The last audit entry's sequence, and the sequence the last signed checkpoint covers.
    static func auditCoverage(_ database: String) throws -> (head: Int64, checkpoint: Int64) {
        try DatabaseQueue(path: database).read { db in
            (try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM audit_entries") ?? 0,
             try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM audit_checkpoints") ?? 0)
        }
    }

    @Test("SIGTERM stops a hub at once, mid-interval, and its final checkpoint covers the last audit entry")
    func sigtermIsPromptAndCheckpoints() async throws {
        let (hub, run, dir) = try await servingQuickstartCopy()
        defer { hub.stop() }
        let database = dir.appendingPathComponent("hub.sqlite").path
        // The start-up round has signed its checkpoint: the maintenance loop now waits out its interval.
        var coverage = try Self.auditCoverage(database)
        for _ in 0..<100 where coverage.checkpoint != coverage.head {
            try await Task.sleep(for: .milliseconds(50))
            coverage = try Self.auditCoverage(database)
        }
        try #require(coverage.checkpoint == coverage.head)
        // An act whose entry no checkpoint covers yet; the hub signs one every 5 s, so on a slow machine the
        // periodic one may win the race: then act again (suspend, resume, …) until an entry is left uncovered.
        var before = coverage
        for act in ["suspend", "resume", "suspend", "resume", "suspend"] {
            let acted = try await GXBinary.run(["agreement", act, "BJ-GX-2026-003", "--reason", "停机前最后一笔", "--hub", hub.url, "--token-file", run.adminToken])
            try #require(acted.status == 0, "\(acted.stderr)")
            before = try Self.auditCoverage(database)
            if before.head > before.checkpoint { break }
        }
        #expect(before.head > before.checkpoint, "a periodic checkpoint covered every act before SIGTERM")

        let clock = ContinuousClock()
        let started = clock.now
        let status = try await hub.terminate()
        let took = clock.now - started
        #expect(status == 0)
        // Well under a second when the machine is idle; the bound leaves room for a loaded test machine and is
        // far below the interval (30 s) the maintenance loop used to wait out.
        #expect(took < .seconds(10), "SIGTERM took \(took)")
        let after = try Self.auditCoverage(database)
        #expect(after.head == before.head)
        #expect(after.checkpoint == after.head, "the final checkpoint covers \(after.checkpoint), the chain ends at \(after.head)")
    }

    @Test("SIGTERM answers a consumer's waiting long poll at once, and the hub exits")
    func sigtermEndsLongPolls() async throws {
        let (hub, run, _) = try await servingQuickstartCopy()
        defer { hub.stop() }
        let token = try String(contentsOfFile: run.agencyFile("11110000000021020F", "token"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let list = "\(hub.url)/v1/agreements/BJ-GX-2026-001/batches"
        let curl = ["-sS", "-H", "Authorization: Bearer \(token)", "-w", "\n%{http_code}"]
        let current = try await ProcessRunner.run("/usr/bin/curl", curl + [list])
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(current.stdout.split(separator: "\n").dropLast().joined(separator: "\n").utf8)) as? [String: Any])
        let last = (listed["batches"] as? [[String: Any]] ?? []).compactMap { $0["sequence"] as? Int }.max() ?? 0

        let clock = ContinuousClock()
        let polled = Task { () throws -> (ProcessResult, Duration) in
            let started = clock.now
            let result = try await ProcessRunner.run("/usr/bin/curl", curl + ["\(list)?after=\(last)&wait=30"])
            return (result, clock.now - started)
        }
        try await Task.sleep(for: .seconds(1))
        let started = clock.now
        #expect(try await hub.terminate() == 0)
        let took = clock.now - started
        let (poll, waited) = try await polled.value
        // The poll asked for 30 s; the bounds leave room for a loaded test machine.
        #expect(took < .seconds(10), "SIGTERM took \(took)")
        #expect(waited < .seconds(25), "the long poll waited \(waited)")
        #expect(poll.stdout.hasSuffix("\n200") && poll.stdout.contains(#""batches":[]"#), "\(poll.stdout)\(poll.stderr)")
    }

    @Test("gx hub init creates the database 0600, and a serving hub's -wal and -shm are 0600 too")
    func hubDatabaseFilesArePrivate() async throws {
        let dir = try temporaryDirectory("hub-modes")
        let database = dir.appendingPathComponent("hub.sqlite").path
        let initialised = try await GXBinary.run(["hub", "init", "--db", database])
        try #require(initialised.status == 0, "\(initialised.stderr)")
        func mode(_ path: String) throws -> Int {
            try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        }
        #expect(try mode(database) == 0o600)
        let hub = try await HubProcess(database: database, directory: dir)
        defer { hub.stop() }
        for suffix in ["-wal", "-shm"] {
            let path = database + suffix
            #expect(FileManager.default.fileExists(atPath: path), "\(path) while the hub serves")
            if FileManager.default.fileExists(atPath: path) { #expect(try mode(path) == 0o600, "\(path)") }
        }
        #expect(try mode(database) == 0o600)
    }
}
