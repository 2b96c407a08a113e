import Foundation
import GXCrypto
import GXTestSupport
import Testing
@testable import GXAgent

@Suite("Source row memory: recognising last night's rows by their bytes")
struct SourceRowMemoryTests {
    private let rules = [UInt8](repeating: 7, count: 32)

    /// A stand-in for a row's source bytes: distinct names give distinct digests.
    private func source(_ name: String) -> SourceRowDigest {
        let digest = Array(name.utf8).withUnsafeBytes { bytes in
            var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
            withUnsafeMutableBytes(of: &words) { LineDigester(.sha256).digest(bytes, into: $0) }
            return words
        }
        return SourceRowDigest(first: digest.0, second: digest.1)
    }

    private func digest(_ byte: UInt8) -> SnapshotRowDigest {
        [UInt8](repeating: byte, count: 32).withUnsafeBytes { SnapshotRowDigest(bytes: $0) }
    }

    /// Runs and commits a pass over `rows` (source name, key, digest byte; no key: quarantined) under `rules`,
    /// remembering each as a provider's pass does.
    private func accept(_ store: SnapshotDigestStore, _ rows: [(String, String?, UInt8)], rules: [UInt8], full: Bool = false) throws {
        let diff = try store.beginDiff(resource: "people", full: full, rowRules: rules)
        let memory = try #require(diff.rowMemory)
        for (name, key, byte) in rows {
            if let key {
                try memory.append(source(name), keptAs: key)
                try digest(byte).withUnsafeBytes { bytes in
                    try diff.observe(key: [key], digest: Array(bytes), line: Array("\(key)@\(byte)".utf8))
                }
            } else {
                try memory.append(source(name), keptAs: nil)
            }
        }
        _ = try diff.compare(onChange: { _, _ in }, onDelete: { _ in })
        try diff.commit()
    }

    /// What the next pass under `rules` recalls for each of `names`, in order: the key, "-" for a row not
    /// kept, nil for a row not recalled.
    private func recall(_ store: SnapshotDigestStore, _ names: [String], rules: [UInt8], full: Bool = false) throws -> [String?] {
        let diff = try store.beginDiff(resource: "people", full: full, rowRules: rules)
        guard let recall = diff.recall else { return names.map { _ in nil } }
        return try names.map { name in try recall.recall(source(name)).map { $0.key ?? "-" } }
    }

    private func store(_ scratch: LocalDataScratch) throws -> SnapshotDigestStore {
        try SnapshotDigestStore(directory: scratch.file("snapshots"))
    }

    @Test("the rows of the last accepted pass, in the same order, are recalled with their key")
    func sameRowsSameOrder() throws {
        let scratch = try LocalDataScratch()
        let store = try store(scratch)
        try accept(store, [("a", "1", 1), ("b", "2", 2), ("c", "3", 3)], rules: rules)
        let diff = try store.beginDiff(resource: "people", rowRules: rules)
        let recall = try #require(diff.recall)
        for (name, key, byte) in [("a", "1", UInt8(1)), ("b", "2", 2), ("c", "3", 3)] {
            let row = try #require(try recall.recall(source(name)))
            #expect(row.key == key)
            #expect(row.source == source(name), "digest byte \(byte)")
        }
        #expect(recall.recalled == 3)
    }

    @Test("inserted and changed rows are not recalled; rows after a deleted one are; a row moved back is mapped again")
    func insertsDeletesAndMoves() throws {
        let scratch = try LocalDataScratch()
        let store = try store(scratch)
        let night1 = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
        try accept(store, night1.enumerated().map { ($1, "k\($1)", UInt8($0)) }, rules: rules)
        // x inserted, c deleted, e changed to e', g and h swapped.
        let night2 = ["a", "x", "b", "d", "e'", "f", "h", "g", "i"]
        #expect(try recall(store, night2, rules: rules) == ["ka", nil, "kb", "kd", nil, "kf", "kh", nil, "ki"])
    }

    @Test("a row moved further than the window is mapped again, and the rows after it are still recalled")
    func beyondTheWindow() throws {
        let scratch = try LocalDataScratch()
        let store = try store(scratch)
        let night1 = (0..<20).map { "r\($0)" }
        try accept(store, night1.map { ($0, $0, 1) }, rules: rules)
        let diff = try store.beginDiff(resource: "people", rowRules: rules)
        let path = SourceRowMemory.path(snapshot: store.snapshotPath("people"))
        let recall = try #require(try SourceRowRecall.open(path: path, fingerprint: SourceRowMemory.fingerprint(rules: rules, kind: diff.digestKind),
                                                           directory: scratch.path, kind: diff.digestKind, capacity: 4))
        #expect(try recall.recall(source("r10")) == nil)
        #expect(try (0..<20).filter { $0 != 10 }.map { try recall.recall(source("r\($0)"))?.key } == (0..<20).filter { $0 != 10 }.map { "r\($0)" })
    }

    @Test("a quarantined row is recalled as not kept, so the pass maps it again")
    func quarantinedRow() throws {
        let scratch = try LocalDataScratch()
        let store = try store(scratch)
        try accept(store, [("a", "1", 1), ("bad", nil, 0), ("c", "3", 3)], rules: rules)
        #expect(try recall(store, ["a", "bad", "c"], rules: rules) == ["1", "-", "3"])
    }

    @Test("a memory made under other rules recalls nothing")
    func otherRules() throws {
        let scratch = try LocalDataScratch()
        let store = try store(scratch)
        try accept(store, [("a", "1", 1)], rules: rules)
        #expect(try store.beginDiff(resource: "people", rowRules: [UInt8](repeating: 8, count: 32)).recall == nil)
        #expect(try store.beginDiff(resource: "people", rowRules: rules).recall != nil)
    }

    @Test("the rules' fingerprint changes with the configuration, the catalogue entry, the columns and the items")
    func rulesFingerprint() throws {
        let entry = try #require(try SampleDocuments.catalogue()["RK-001"])
        let base = SourceRowMemory.rules(configText: "a", entry: entry, columns: ["x"], items: ["i"])
        #expect(base == SourceRowMemory.rules(configText: "a", entry: entry, columns: ["x"], items: ["i"]))
        #expect(base != SourceRowMemory.rules(configText: "b", entry: entry, columns: ["x"], items: ["i"]))
        #expect(base != SourceRowMemory.rules(configText: "a", entry: entry, columns: ["y"], items: ["i"]))
        #expect(base != SourceRowMemory.rules(configText: "a", entry: entry, columns: ["x"], items: ["j"]))
        var changed = entry
        changed.items.removeLast()
        #expect(base != SourceRowMemory.rules(configText: "a", entry: changed, columns: ["x"], items: ["i"]))
    }

    @Test("a full pass recalls nothing, and remembers its rows for the next")
    func fullPass() throws {
        let scratch = try LocalDataScratch()
        let store = try store(scratch)
        try accept(store, [("a", "1", 1)], rules: rules)
        #expect(try recall(store, ["a"], rules: rules, full: true) == [nil])
        try accept(store, [("b", "2", 2)], rules: rules, full: true)
        #expect(try recall(store, ["a", "b"], rules: rules) == [nil, "2"])
    }

    @Test("a pass that is not committed leaves the last accepted pass's memory")
    func uncommittedPass() throws {
        let scratch = try LocalDataScratch()
        let store = try store(scratch)
        try accept(store, [("a", "1", 1)], rules: rules)
        let abandoned = try store.beginDiff(resource: "people", rowRules: rules)
        try abandoned.rowMemory?.append(source("z"), keptAs: "9")
        _ = try abandoned.compare(onChange: { _, _ in }, onDelete: { _ in })
        #expect(try recall(store, ["a"], rules: rules) == ["1"])
        #expect(try recall(store, ["z"], rules: rules) == [nil])
    }

    @Test("folding accepted batches into the snapshot drops the memory")
    func foldDropsMemory() throws {
        let scratch = try LocalDataScratch()
        let store = try store(scratch)
        try accept(store, [("a", "1", 1)], rules: rules)
        let path = SourceRowMemory.path(snapshot: store.snapshotPath("people"))
        #expect(FileManager.default.fileExists(atPath: path))
        try store.forgetRowMemory(resource: "people")
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(try recall(store, ["a"], rules: rules) == [nil])
    }

    @Test("a memory cut short recalls the rows before the cut, and nothing after it")
    func damagedMemory() throws {
        let scratch = try LocalDataScratch()
        let store = try store(scratch)
        try accept(store, [("a", "1", 1), ("b", "2", 2), ("c", "3", 3)], rules: rules)
        let path = SourceRowMemory.path(snapshot: store.snapshotPath("people"))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count - 10).write(to: URL(fileURLWithPath: path))
        #expect(try recall(store, ["a", "b", "c"], rules: rules) == ["1", "2", nil])
    }

    @Test("the memory is readable by its owner only: keys are personal identifiers")
    func ownerOnly() throws {
        let scratch = try LocalDataScratch()
        let store = try store(scratch)
        try accept(store, [("a", "1", 1)], rules: rules)
        let path = SourceRowMemory.path(snapshot: store.snapshotPath("people"))
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(mode & 0o077 == 0)
    }

    /// What a comparison handed back: changed rows' lines, deleted keys, counts.
    private func compare(_ diff: SnapshotDiff) throws -> (changed: [String], deleted: [String], comparison: SnapshotComparison) {
        var changed: [String] = []
        var deleted: [String] = []
        let comparison = try diff.compare(onChange: { _, line in changed.append(String(decoding: line, as: UTF8.self)) },
                                          onDelete: { deleted.append($0.joined()) })
        return (changed.sorted(), deleted.sorted(), comparison)
    }

    @Test("a pass that recalls rows observes only the others: recalled rows stay unchanged, rows passed over and not seen again are deleted")
    func recallingPassCompares() throws {
        let scratch = try LocalDataScratch()
        let store = try store(scratch)
        try accept(store, [("a", "k1", 1), ("b", "k2", 2), ("c", "k3", 3), ("d", "k4", 4)], rules: rules)
        let diff = try store.beginDiff(resource: "people", rowRules: rules)
        let recall = try #require(diff.recall)
        // a as before; x new; b gone; c as before; d changed.
        #expect(try recall.recall(source("a"))?.key == "k1")
        #expect(try recall.recall(source("x")) == nil)
        try diff.observe(key: ["k9"], digest: [UInt8](repeating: 9, count: 32), line: Array("k9@9".utf8))
        #expect(try recall.recall(source("c"))?.key == "k3")
        #expect(try recall.recall(source("d'")) == nil)
        try diff.observe(key: ["k4"], digest: [UInt8](repeating: 40, count: 32), line: Array("k4@40".utf8))
        let outcome = try compare(diff)
        #expect(outcome.changed == ["k4@40", "k9@9"])
        #expect(outcome.deleted == ["k2"])
        #expect(outcome.comparison == SnapshotComparison(inserted: 1, updated: 1, unchanged: 2, deleted: 1))
        try diff.commit()
        #expect(try store.count(resource: "people") == 4)
        // The snapshot it wrote holds the recalled entries as they were, and the changes.
        let check = try store.beginDiff(resource: "people")
        for (key, byte) in [("k1", UInt8(1)), ("k3", 3), ("k4", 40), ("k9", 9)] {
            try check.observe(key: [key], digest: [UInt8](repeating: byte, count: 32), line: Array("\(key)@\(byte)".utf8))
        }
        #expect(try compare(check).comparison == SnapshotComparison(inserted: 0, updated: 0, unchanged: 4, deleted: 0))
    }

    @Test("a row moved out of the window is mapped again and found unchanged, not sent")
    func movedRowUnchanged() throws {
        let scratch = try LocalDataScratch()
        let store = try store(scratch)
        try accept(store, [("a", "k1", 1), ("b", "k2", 2), ("c", "k3", 3)], rules: rules)
        let diff = try store.beginDiff(resource: "people", rowRules: rules)
        let recall = try #require(diff.recall)
        #expect(try recall.recall(source("b"))?.key == "k2")
        #expect(try recall.recall(source("c"))?.key == "k3")
        #expect(try recall.recall(source("a")) == nil)
        try diff.observe(key: ["k1"], digest: [UInt8](repeating: 1, count: 32), line: Array("k1@1".utf8))
        let outcome = try compare(diff)
        #expect(outcome.changed.isEmpty && outcome.deleted.isEmpty)
        #expect(outcome.comparison.unchanged == 3)
    }

    @Test("a key recalled and observed again in one pass is a duplicate key, named")
    func recalledKeyObservedAgain() throws {
        let scratch = try LocalDataScratch()
        let store = try store(scratch)
        try accept(store, [("a", "k1", 1), ("b", "k2", 2)], rules: rules)
        let diff = try store.beginDiff(resource: "people", rowRules: rules)
        let recall = try #require(diff.recall)
        #expect(try recall.recall(source("a"))?.key == "k1")
        #expect(try recall.recall(source("b"))?.key == "k2")
        try diff.observe(key: ["k1"], digest: [UInt8](repeating: 7, count: 32), line: Array("k1@7".utf8))
        let error = #expect(throws: LocalDataError.self) { try compare(diff) }
        #expect(error?.reason.contains("duplicate key k1") == true)
    }

    @Test("a recalled row's entry is carried into the next memory as stored, and recalled from it the night after")
    func recalledEntriesCarried() throws {
        let scratch = try LocalDataScratch()
        let store = try store(scratch)
        try accept(store, [("a", "k1", 1), ("bad", nil, 0), ("b", "k2", 2)], rules: rules)
        let diff = try store.beginDiff(resource: "people", rowRules: rules)
        let recall = try #require(diff.recall)
        let memory = try #require(diff.rowMemory)
        var entries: [UInt8] = []
        #expect(try recall.recall(source("a"), appendingTo: &entries))
        try memory.append(remembered: entries)
        // Recalled as not kept: nothing to carry, the pass maps it (and quarantines it) again.
        entries = []
        #expect(try !recall.recall(source("bad"), appendingTo: &entries))
        #expect(entries.isEmpty)
        try memory.append(source("bad"), keptAs: nil)
        #expect(try recall.recall(source("b"), appendingTo: &entries))
        #expect(try !recall.recall(source("new"), appendingTo: &entries))
        try memory.append(remembered: entries)
        #expect(recall.recalled == 2)
        _ = try compare(diff)
        try diff.commit()
        #expect(try self.recall(store, ["a", "bad", "b"], rules: rules) == ["k1", "-", "k2"])
    }

    @Test("a memory far larger than the window's buffer recalls every row in order, and rows found further on")
    func longMemory() throws {
        let scratch = try LocalDataScratch()
        let store = try store(scratch)
        // 30 000 entries of about 90 bytes: the window's buffer drops what was taken many times over.
        let keys = (0..<30_000).map { "person-\($0)-" + String(repeating: "x", count: 30) }
        try accept(store, keys.map { ($0, $0, UInt8(truncatingIfNeeded: $0.count)) }, rules: rules)
        let diff = try store.beginDiff(resource: "people", rowRules: rules)
        let path = SourceRowMemory.path(snapshot: store.snapshotPath("people"))
        let recall = try #require(try SourceRowRecall.open(path: path, fingerprint: SourceRowMemory.fingerprint(rules: rules, kind: diff.digestKind),
                                                           directory: scratch.path, kind: diff.digestKind, capacity: 1000))
        var recalledKeys: [String?] = []
        for index in keys.indices {
            // Every 5 000th row is found 500 rows early, so the 500 before it are passed over.
            if index % 5000 == 4000 {
                recalledKeys.append(try recall.recall(source(keys[index + 500]))?.key)
            } else {
                recalledKeys.append(try recall.recall(source(keys[index]))?.key)
            }
        }
        let expected: [String?] = keys.indices.map { index in
            if index % 5000 == 4000 { return keys[index + 500] }
            let position = index % 5000
            return position > 4000 && position <= 4500 ? nil : keys[index]
        }
        #expect(recalledKeys == expected)
    }

    @Test("a memory in the older format, which kept snapshot digests, is not recalled: the pass maps every row")
    func olderFormatNotRecalled() throws {
        let scratch = try LocalDataScratch()
        let store = try store(scratch)
        try accept(store, [("a", "k1", 1)], rules: rules)
        let path = SourceRowMemory.path(snapshot: store.snapshotPath("people"))
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        // Same fingerprint, the old magic and the old entry (key, then 32 bytes of snapshot digest).
        bytes.replaceSubrange(0..<SourceRowMemory.magic.count, with: Array("GXROWS01".utf8))
        bytes.append(Data(repeating: 1, count: 32))
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect(try recall(store, ["a"], rules: rules) == [nil])
    }

    @Test("a memory that does not match the snapshot fails the pass, and is removed so the next pass maps every row")
    func memoryOutOfStep() throws {
        let scratch = try LocalDataScratch()
        let store = try store(scratch)
        try accept(store, [("a", "k1", 1), ("b", "k2", 2)], rules: rules)
        let path = SourceRowMemory.path(snapshot: store.snapshotPath("people"))
        let kept = try Data(contentsOf: URL(fileURLWithPath: path))
        // Another snapshot under the memory's feet: k2 gone.
        let other = try store.beginDiff(resource: "people")
        try other.observe(key: ["k1"], digest: [UInt8](repeating: 1, count: 32))
        _ = try compare(other)
        try other.commit()
        try kept.write(to: URL(fileURLWithPath: path))
        let diff = try store.beginDiff(resource: "people", rowRules: rules)
        let recall = try #require(diff.recall)
        #expect(try recall.recall(source("a"))?.key == "k1")
        let error = #expect(throws: LocalDataError.self) { try compare(diff) }
        #expect(error?.reason.contains("does not match the snapshot") == true)
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
