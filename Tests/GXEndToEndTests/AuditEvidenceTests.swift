import Foundation
import GRDB
import GXDomain
import GXTestSupport
import Testing

@Suite("gx audit verify on an exported log")
struct AuditEvidenceTests {
    func tampered(_ options: [String] = [], _ transform: ([String]) -> [String]) async throws -> ProcessResult {
        let run = try await Quickstart.run()
        let lines = try String(contentsOfFile: run.export, encoding: .utf8).split(separator: "\n").map(String.init)
        let file = try temporaryDirectory("tamper").appendingPathComponent("audit.ndjson")
        try (transform(lines).joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        return try await GXBinary.run(["audit", "verify", "--file", file.path, "--pub", run.hubPublicKey] + options)
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

    /// An export line for `entry`, as the hub writes it.
    static func entryLine(_ entry: AuditEntry) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return #"{"entry":"# + String(decoding: try encoder.encode(entry), as: UTF8.self) + #","type":"entry"}"#
    }

    static func entries(_ lines: [String]) throws -> [AuditEntry] {
        try lines.filter { $0.hasPrefix(#"{"entry""#) }.map {
            let object = try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
            return try JSONDecoder().decode(AuditEntry.self, from: try JSONSerialization.data(withJSONObject: object["entry"]!))
        }
    }

    @Test("a forged agreement.revoked appended after the last checkpoint is unverified (exit 3), not intact")
    func forgedAppendIsUnverified() async throws {
        let result = try await tampered { lines in
            let last = try! Self.entries(lines).last!
            let forged = AuditChain.seal(AuditDraft(actor: "admin:authority", action: "agreement.revoked", subject: "BJ-GX-2026-001",
                                                    agreement: "BJ-GX-2026-001", details: ["reason": .string("forged")]),
                                         seq: last.seq + 1, time: last.time, prevHash: last.hash)
            var lines = lines
            let position = lines.lastIndex { $0.hasPrefix(#"{"entry""#) }! + 1
            lines.insert(try! Self.entryLine(forged), at: position)
            return lines
        }
        #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("NOT fully verified"), "\(result.stdout)")
        #expect(result.stdout.contains("the 1 entries after it are UNVERIFIED"), "\(result.stdout)")
        #expect(!result.stdout.contains("audit chain intact"))
    }

    @Test("--json says an unsigned tail is not intact, and how many entries it holds")
    func unsignedTailInJSON() async throws {
        let result = try await tampered(["--json"]) { lines in lines.filter { !$0.hasPrefix(#"{"checkpoint""#) } }
        #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        #expect(summary["intact"] as? Bool == false)
        #expect(summary["verdict"] as? String == "unverified_tail")
        #expect(summary["unverified_entries"] as? Int == summary["head_seq"] as? Int)
    }

    @Test("entries rewritten after the first checkpoint, with the later checkpoints dropped, are unverified (exit 3)")
    func droppedCheckpointsAreUnverified() async throws {
        let result = try await tampered { lines in
            let checkpoints = lines.filter { $0.hasPrefix(#"{"checkpoint""#) }
            let kept = checkpoints.count > 1 ? [checkpoints[0]] : []
            let keptSeq = kept.first.map { (try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any])["checkpoint"] as! [String: Any] }
                .map { ($0["seq"] as! NSNumber).int64Value } ?? 0
            var rewritten: [String] = []
            var previous = AuditChain.genesisHash
            for line in lines where !line.hasPrefix(#"{"checkpoint""#) {
                guard line.hasPrefix(#"{"entry""#), let entry = try! Self.entries([line]).first else { rewritten.append(line); continue }
                if entry.seq <= keptSeq { rewritten.append(line); previous = entry.hash; continue }
                let forged = AuditChain.seal(AuditDraft(actor: entry.actor, action: entry.action, subject: "rewritten",
                                                        agreement: entry.agreement, agencies: entry.agencies, details: entry.details),
                                             seq: entry.seq, time: entry.time, prevHash: previous)
                rewritten.append(try! Self.entryLine(forged))
                previous = forged.hash
            }
            return rewritten + kept
        }
        #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("UNVERIFIED"), "\(result.stdout)")
    }

    @Test("a line that is not an export line is bad input (exit 2) naming its line number")
    func garbageLine() async throws {
        let result = try await tampered { lines in
            var lines = lines
            lines.insert("garbage, not JSON", at: 4)
            return lines
        }
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("line 5"), "\(result.stderr)")
        #expect(!result.stdout.contains("BROKEN"))
    }

    @Test("an entry line that does not parse is bad input (exit 2) naming its line number, not a break at entry -1")
    func unreadableEntryLine() async throws {
        let result = try await tampered { lines in
            var lines = lines
            lines[6] = #"{"entry":{"seq":"six"}}"#
            return lines
        }
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("line 7 is not a readable entry"), "\(result.stderr)")
        #expect(!result.stdout.contains("-1"))
    }

    @Test("--db without --pub is bad input (exit 2): the key stored in the database proves nothing against its writer")
    func databaseNeedsKey() async throws {
        let run = try await Quickstart.run()
        let result = try await GXBinary.run(["audit", "verify", "--db", run.hubDatabase])
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("--pub is required"), "\(result.stderr)")
    }

    @Test("--db reports a deleted agency index row as broken (exit 1); gx audit reindex puts it back")
    func deletedIndexRow() async throws {
        let run = try await Quickstart.run()
        let copy = try temporaryDirectory("index")
        try run.copyState(to: copy.appendingPathComponent("state"))
        let database = copy.appendingPathComponent("state/hub/hub.sqlite").path
        let hidden = try await DatabaseQueue(path: database).write { db -> Int64 in
            let seq = try Int64.fetchOne(db, sql: "SELECT max(seq) FROM audit_entry_agencies WHERE agency = '111100000000210552'")!
            try db.execute(sql: "DELETE FROM audit_entry_agencies WHERE agency = '111100000000210552' AND seq = ?", arguments: [seq])
            return seq
        }
        let broken = try await GXBinary.run(["audit", "verify", "--db", database, "--pub", run.hubPublicKey])
        #expect(broken.status == 1, "\(broken.stdout)\(broken.stderr)")
        #expect(broken.stdout.contains("BROKEN at entry \(hidden): index_mismatch"), "\(broken.stdout)")

        let reindex = try await GXBinary.run(["audit", "reindex", "--db", database])
        #expect(reindex.status == 0, "\(reindex.stdout)\(reindex.stderr)")
        #expect(reindex.stdout.contains("1 rows added, 0 removed"), "\(reindex.stdout)")
        // The index is sound again; the repair's own entry waits for the hub's next checkpoint.
        let repaired = try await GXBinary.run(["audit", "verify", "--db", database, "--pub", run.hubPublicKey])
        #expect(repaired.status == 3, "\(repaired.stdout)\(repaired.stderr)")
        #expect(repaired.stdout.contains("the 1 entries after it are UNVERIFIED"), "\(repaired.stdout)")
    }

    @Test("a serving hub signs a checkpoint within seconds of a change, so the database verifies as covered (exit 0)")
    func servingHubSignsSoon() async throws {
        let run = try await Quickstart.run()
        let dir = try temporaryDirectory("checkpoint-soon")
        let database = dir.appendingPathComponent("hub.sqlite").path
        try FileManager.default.copyItem(atPath: run.hubDatabase, toPath: database)
        try FileManager.default.copyItem(atPath: run.state.appendingPathComponent("hub/hub.key").path, toPath: dir.appendingPathComponent("hub.key").path)
        let hub = try await HubProcess(database: database, directory: dir)
        defer { hub.stop() }
        let suspended = try await GXBinary.run(["agreement", "suspend", "BJ-GX-2026-003", "--reason", "核查", "--hub", hub.url, "--token-file", run.adminToken])
        #expect(suspended.status == 0, "\(suspended.stderr)")
        var verified = try await GXBinary.run(["audit", "verify", "--db", database, "--pub", run.hubPublicKey])
        let deadline = ContinuousClock.now + .seconds(12)
        while verified.status == 3, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(500))
            verified = try await GXBinary.run(["audit", "verify", "--db", database, "--pub", run.hubPublicKey])
        }
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
    }

    @Test("an offline check without the hub key is bad input (exit 2)")
    func missingKey() async throws {
        let run = try await Quickstart.run()
        let result = try await GXBinary.run(["audit", "verify", "--file", run.export])
        #expect(result.status == 2)
    }
}
