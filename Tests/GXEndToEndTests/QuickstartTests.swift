import Foundation
import GXTestSupport
import Testing

@Suite("README first command: the quickstart on the embedded default")
struct QuickstartTests {
    @Test("the quickstart registers, publishes, signs and files everything, and the audit chain verifies")
    func quickstartCompletes() async throws {
        let run = try await Quickstart.run()
        #expect(run.result.status == 0, "stderr:\n\(run.result.stderr)\nstdout:\n\(run.result.stdout)")
        let out = run.result.stdout
        #expect(out.contains("quickstart done: 6 agencies, 3 catalogue entries, 5 agreements active"))
        #expect(out.components(separatedBy: "audit chain intact").count == 3)
        for id in ["BJ-GX-2026-001", "BJ-GX-2026-002", "BJ-GX-2026-003", "BJ-GX-2026-004", "BJ-GX-2026-005"] {
            #expect(out.contains("\(id): active"), "\(id)")
        }
    }

    @Test("the quickstart takes a demand from submission to a filed agreement that names it")
    func quickstartDemand() async throws {
        let run = try await Quickstart.run()
        let out = run.result.stdout
        #expect(out.contains("[forwarded]") && out.contains("[partially_granted]"), "\(out)")
        let line = try #require(out.split(separator: "\n").first { $0.hasPrefix("  agreement ") && $0.contains(" drafted:") })
        let agreement = try #require(line.split(separator: " ").drop { $0 != "agreement" }.dropFirst().first.map(String.init))
        #expect(out.contains("\(agreement): filed"), "\(out)")
    }

    @Test("the quickstart runs one verification (比对核实) and prints its counts: 205 records, 200 found, 20 names planted wrong")
    func quickstartVerifies() async throws {
        let run = try await Quickstart.run()
        #expect(run.result.stdout.contains("verified BJ-GX-2026-005: requests 1 (205 records)"), "\(run.result.stdout)")
        #expect(run.result.stdout.contains("(205 records, 200 found, mismatches: 出生日期 0, 姓名 20)"), "\(run.result.stdout)")
    }

    @Test("secrets are written with mode 0600")
    func secretsArePrivate() async throws {
        let run = try await Quickstart.run()
        for path in [run.adminToken, run.auditorToken, run.state.appendingPathComponent("hub/hub.key").path,
                     run.agencyFile("11110000000021012L", "key"), run.agencyFile("11110000000021012L", "token")] {
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(path)")
        }
    }

    @Test("records at rest are sealed with SM4: the hub's kept payloads and a provider's quarantine, which gx data-key open shows to a person")
    func recordsAtRestAreSealed() async throws {
        let run = try await Quickstart.run()
        let batches = run.state.appendingPathComponent("hub/batches")
        let kept = try FileManager.default.subpathsOfDirectory(atPath: batches.path).filter { $0.hasSuffix(".deflate") }
        #expect(kept.count > 10, "\(kept)")
        for file in kept {
            let head = try FileHandle(forReadingFrom: batches.appendingPathComponent(file)).read(upToCount: 8) ?? Data()
            #expect([UInt8](head) == Array("GXSM4v1".utf8) + [0], "\(file) is not sealed")
        }
        let police = run.state.appendingPathComponent("agents/111100000000210552/state")
        let quarantine = police.appendingPathComponent("quarantine/RK-001.csv")
        #expect(!(try String(decoding: Data(contentsOf: quarantine), as: UTF8.self)).contains("time,row,item,rule,value"))
        let opened = try temporaryDirectory("quarantine").appendingPathComponent("RK-001.csv")
        let result = try await GXBinary.run(["data-key", "open", "--dir", police.appendingPathComponent("data-keys").path, quarantine.path, opened.path])
        #expect(result.status == 0, "\(result.stderr)")
        let text = try String(contentsOf: opened, encoding: .utf8)
        #expect(text.hasPrefix("time,row,item,rule,value\n") && text.contains("GB 11643"), "\(text.prefix(300))")
    }

    @Test("the hub shut down gracefully on SIGTERM and signed a final checkpoint at the head")
    func gracefulShutdownCheckpoint() async throws {
        let run = try await Quickstart.run()
        let result = try await GXBinary.run(["audit", "verify", "--db", run.hubDatabase, "--pub", run.hubPublicKey, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        #expect(summary["intact"] as? Bool == true)
        #expect(summary["covered_by_seq"] as? Int == summary["head_seq"] as? Int)
        let log = try String(contentsOf: run.state.appendingPathComponent("hub/hub.log"), encoding: .utf8)
        #expect(!log.contains("gx_"), "tokens must never be logged")
    }
}
