import Foundation
import GXTestSupport
import Testing

@Suite("gx audit verify on an exported log")
struct AuditEvidenceTests {
    func tampered(_ transform: ([String]) -> [String]) async throws -> ProcessResult {
        let run = try await Quickstart.run()
        let lines = try String(contentsOfFile: run.export, encoding: .utf8).split(separator: "\n").map(String.init)
        let file = try temporaryDirectory("tamper").appendingPathComponent("audit.ndjson")
        try (transform(lines).joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        return try await GXBinary.run(["audit", "verify", "--file", file.path, "--pub", run.hubPublicKey])
    }

    @Test("the untouched export verifies with only the hub's public key")
    func untouchedVerifies() async throws {
        let result = try await tampered { $0 }
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("audit chain intact"))
    }

    @Test("an edited entry is reported as the first broken one")
    func editedEntry() async throws {
        let result = try await tampered { lines in
            lines.map { $0.contains(#""seq":7,"#) ? $0.replacingOccurrences(of: "agency.registered", with: "agency.Registered") : $0 }
        }
        #expect(result.status == 1)
        #expect(result.stdout.contains("BROKEN at entry 7: hash_mismatch"), "\(result.stdout)")
    }

    @Test("a deleted entry is reported")
    func deletedEntry() async throws {
        let result = try await tampered { lines in lines.filter { !$0.contains(#""seq":9,"#) } }
        #expect(result.status == 1)
        #expect(result.stdout.contains("BROKEN at entry 10: sequence_gap"), "\(result.stdout)")
    }

    @Test("reordered entries are reported")
    func reorderedEntries() async throws {
        let result = try await tampered { lines in
            var lines = lines
            let a = lines.firstIndex { $0.contains(#""seq":4,"#) }!, b = lines.firstIndex { $0.contains(#""seq":5,"#) }!
            lines.swapAt(a, b)
            return lines
        }
        #expect(result.status == 1)
        #expect(result.stdout.contains("BROKEN at entry 5"), "\(result.stdout)")
    }

    @Test("a truncated tail is reported against the last signed checkpoint")
    func truncatedTail() async throws {
        let result = try await tampered { lines in
            var lines = lines
            let entries = lines.indices.filter { lines[$0].hasPrefix(#"{"entry""#) }
            lines.remove(at: entries[entries.count - 1])
            lines.remove(at: entries[entries.count - 2])
            return lines
        }
        #expect(result.status == 1)
        #expect(result.stdout.contains("truncated"), "\(result.stdout)")
    }

    @Test("verifying against another hub's key fails")
    func wrongKey() async throws {
        let run = try await Quickstart.run()
        let dir = try temporaryDirectory("otherkey")
        _ = try await GXBinary.run(["keys", "generate", "--out", dir.path, "--name", "other"])
        let result = try await GXBinary.run(["audit", "verify", "--file", run.export, "--pub", dir.appendingPathComponent("other.pub").path])
        #expect(result.status == 1)
        #expect(result.stdout.contains("bad_checkpoint_signature"))
    }

    @Test("an offline check without the hub key is bad input (exit 2)")
    func missingKey() async throws {
        let run = try await Quickstart.run()
        let result = try await GXBinary.run(["audit", "verify", "--file", run.export])
        #expect(result.status == 2)
    }
}
