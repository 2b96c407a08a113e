import Foundation
import GRDB
import Testing
@testable import GXAgent

@Suite("Snapshot digest store")
struct SnapshotDigestStoreTests {
    private func digest(_ byte: UInt8) -> [UInt8] {
        [UInt8](repeating: byte, count: 32)
    }

    /// What a comparison handed back: changed rows' lines by kind, deleted keys sorted.
    private struct Outcome {
        var inserted: [String] = []
        var updated: [String] = []
        var deleted: [[String]] = []
        var comparison = SnapshotComparison()
    }

    private func compare(_ diff: SnapshotDiff) throws -> Outcome {
        var outcome = Outcome()
        outcome.comparison = try diff.compare(onChange: { change, line in
            switch change {
            case .inserted: outcome.inserted.append(String(decoding: line, as: UTF8.self))
            case .updated: outcome.updated.append(String(decoding: line, as: UTF8.self))
            case .unchanged: Issue.record("unchanged rows are not handed back")
            }
        }, onDelete: { outcome.deleted.append($0) })
        outcome.deleted.sort { $0.lexicographicallyPrecedes($1) }
        return outcome
    }

    /// Observes `rows` (key, digest byte), each with the line "key@byte".
    private func observe(_ diff: SnapshotDiff, _ rows: [(String, UInt8)]) throws {
        for (key, byte) in rows { try diff.observe(key: [key], digest: digest(byte), line: Array("\(key)@\(byte)".utf8)) }
    }

    /// Commits a pass holding exactly `rows`.
    private func accept(_ store: SnapshotDigestStore, _ rows: [(String, UInt8)], resource: String = "people") throws {
        let diff = try store.beginDiff(resource: resource)
        try observe(diff, rows)
        _ = try compare(diff)
        try diff.commit()
    }

    @Test("the first pass sees every row as inserted and nothing deleted")
    func firstPass() throws {
        let scratch = try LocalDataScratch()
        let store = try SnapshotDigestStore(directory: scratch.file("snapshots"))
        let diff = try store.beginDiff(resource: "people")
        #expect(diff.previousCount == 0)
        try observe(diff, [("2", 2), ("1", 1)])
        let outcome = try compare(diff)
        #expect(outcome.inserted == ["1@1", "2@2"])
        #expect(outcome.updated.isEmpty && outcome.deleted.isEmpty)
        try diff.commit()
        #expect(try store.count(resource: "people") == 2)
    }

    @Test("a later pass tells inserted, updated and unchanged rows apart, hands back their lines and lists the deleted keys")
    func changes() throws {
        let scratch = try LocalDataScratch()
        let store = try SnapshotDigestStore(directory: scratch.file("snapshots"))
        try accept(store, [("1", 1), ("2", 2), ("3", 3), ("4", 4)])
        let diff = try store.beginDiff(resource: "people")
        #expect(diff.previousCount == 4)
        try observe(diff, [("5", 5), ("2", 20), ("1", 1)])
        let outcome = try compare(diff)
        #expect(outcome.inserted == ["5@5"])
        #expect(outcome.updated == ["2@20"])
        #expect(outcome.deleted == [["3"], ["4"]])
        #expect(outcome.comparison == SnapshotComparison(inserted: 1, updated: 1, unchanged: 1, deleted: 2))
        try diff.commit()
        #expect(try store.count(resource: "people") == 3)
        let next = try store.beginDiff(resource: "people")
        try observe(next, [("2", 20)])
        let again = try compare(next)
        #expect(again.comparison.unchanged == 1)
        #expect(again.deleted == [["1"], ["5"]])
    }

    @Test("without commit the next pass still compares with the last accepted snapshot")
    func uncommittedPass() throws {
        let scratch = try LocalDataScratch()
        let directory = scratch.file("snapshots")
        do {
            let store = try SnapshotDigestStore(directory: directory)
            try accept(store, [("1", 1), ("2", 2)])
            let abandoned = try store.beginDiff(resource: "people")
            try observe(abandoned, [("1", 9), ("3", 3)])
            _ = try compare(abandoned)
        }
        let store = try SnapshotDigestStore(directory: directory)
        let diff = try store.beginDiff(resource: "people")
        try observe(diff, [("1", 9), ("3", 3)])
        let outcome = try compare(diff)
        #expect(outcome.updated == ["1@9"])
        #expect(outcome.inserted == ["3@3"])
        #expect(outcome.deleted == [["2"]])
        #expect(try store.count(resource: "people") == 2)
    }

    @Test("a key observed twice in one pass is an error naming it")
    func duplicateKey() throws {
        let scratch = try LocalDataScratch()
        let store = try SnapshotDigestStore(directory: scratch.file("snapshots"))
        let diff = try store.beginDiff(resource: "people")
        try diff.observe(key: ["34052419800101001X"], digest: digest(1))
        try diff.observe(key: ["11010519491231002X"], digest: digest(3))
        try diff.observe(key: ["34052419800101001X"], digest: digest(2))
        let error = #expect(throws: LocalDataError.self) { try compare(diff) }
        #expect(error?.reason.contains("duplicate key 34052419800101001X") == true)
    }

    @Test("a key repeated in different sorted runs is found too")
    func duplicateKeyAcrossRuns() throws {
        let scratch = try LocalDataScratch()
        let store = try SnapshotDigestStore(directory: scratch.file("snapshots"), runBytes: 100)
        let diff = try store.beginDiff(resource: "people")
        try observe(diff, [("a", 1), ("b", 1), ("c", 1), ("d", 1), ("b", 2)])
        let error = #expect(throws: LocalDataError.self) { try compare(diff) }
        #expect(error?.reason.contains("duplicate key b") == true)
    }

    @Test("resources keep separate snapshots, whatever characters their codes hold")
    func separateResources() throws {
        let scratch = try LocalDataScratch()
        let store = try SnapshotDigestStore(directory: scratch.file("snapshots"))
        try accept(store, [("1", 1)])
        try accept(store, [("1", 1), ("2", 2)], resource: "../法人/FR 001")
        let other = try store.beginDiff(resource: "companies")
        try observe(other, [("1", 1)])
        let outcome = try compare(other)
        #expect(outcome.inserted == ["1@1"] && outcome.deleted.isEmpty)
        #expect(try store.count(resource: "companies") == 0)
        #expect(try store.count(resource: "people") == 1)
        #expect(try store.count(resource: "../法人/FR 001") == 2)
        let files = try FileManager.default.contentsOfDirectory(atPath: store.directory)
        #expect(files.allSatisfy { !$0.contains("/") && !$0.hasPrefix(".") })
    }

    @Test("composite keys, even with separator characters inside, come back whole as deleted keys")
    func compositeKeys() throws {
        let scratch = try LocalDataScratch()
        let store = try SnapshotDigestStore(directory: scratch.file("snapshots"))
        let awkward = ["a\u{1F}b", "c\u{1B}", ""]
        let first = try store.beginDiff(resource: "deeds")
        try first.observe(key: awkward, digest: digest(1))
        try first.observe(key: ["a", "b\u{1F}c", ""], digest: digest(1))
        #expect(try compare(first).comparison.inserted == 2)
        try first.commit()
        let second = try store.beginDiff(resource: "deeds")
        try second.observe(key: ["a", "b\u{1F}c", ""], digest: digest(1))
        let outcome = try compare(second)
        #expect(outcome.comparison.unchanged == 1)
        #expect(outcome.deleted == [awkward])
    }

    @Test("a digest that is not 32 bytes is refused")
    func digestLength() throws {
        let scratch = try LocalDataScratch()
        let store = try SnapshotDigestStore(directory: scratch.file("snapshots"))
        let diff = try store.beginDiff(resource: "people")
        #expect(throws: LocalDataError.self) { try diff.observe(key: ["1"], digest: [1, 2, 3]) }
    }

    @Test("beginning a new pass abandons the unfinished one, which can no longer commit")
    func supersededPass() throws {
        let scratch = try LocalDataScratch()
        let store = try SnapshotDigestStore(directory: scratch.file("snapshots"))
        let old = try store.beginDiff(resource: "people")
        try observe(old, [("1", 1)])
        _ = try compare(old)
        let new = try store.beginDiff(resource: "people")
        let error = #expect(throws: LocalDataError.self) { try old.commit() }
        #expect(error?.reason.contains("newer pass") == true)
        try observe(new, [("1", 1)])
        #expect(try compare(new).inserted == ["1@1"])
        try new.commit()
        #expect(try store.count(resource: "people") == 1)
    }

    @Test("a pass commits only after its comparison, and only once")
    func commitOrder() throws {
        let scratch = try LocalDataScratch()
        let store = try SnapshotDigestStore(directory: scratch.file("snapshots"))
        let diff = try store.beginDiff(resource: "people")
        try observe(diff, [("1", 1)])
        let early = #expect(throws: LocalDataError.self) { try diff.commit() }
        #expect(early?.reason.contains("compare before commit") == true)
        _ = try compare(diff)
        try diff.commit()
        #expect(throws: LocalDataError.self) { try diff.observe(key: ["2"], digest: digest(2)) }
        #expect(throws: LocalDataError.self) { try diff.commit() }
    }

    @Test("passes spilling many sorted runs classify and commit every row")
    func manyRuns() throws {
        let scratch = try LocalDataScratch()
        let store = try SnapshotDigestStore(directory: scratch.file("snapshots"), runBytes: 4096)
        let count = 5_017
        let first = try store.beginDiff(resource: "people")
        for index in 0..<count { try first.observe(key: [String(index)], digest: digest(UInt8(index % 251))) }
        #expect(try compare(first).comparison.inserted == count)
        try first.commit()
        #expect(try store.count(resource: "people") == count)
        let second = try store.beginDiff(resource: "people")
        for index in (1..<count).reversed() {
            let byte = UInt8(index % 251) &+ (index % 100 == 0 ? 1 : 0)
            try second.observe(key: [String(index)], digest: digest(byte), line: Array(String(index).utf8))
        }
        let outcome = try compare(second)
        #expect(outcome.comparison.updated == (count - 1) / 100)
        #expect(outcome.comparison.unchanged == count - 1 - (count - 1) / 100)
        #expect(outcome.updated.sorted() == stride(from: 100, to: count, by: 100).map(String.init).sorted())
        #expect(outcome.deleted == [["0"]])
        // The runs are gone once compared: only the next snapshot waits in the pass directory.
        let passes = try FileManager.default.contentsOfDirectory(atPath: store.directory).filter { $0.contains(SnapshotDigestStore.passInfix) }
        #expect(passes.count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.directory + "/" + passes[0]) == ["next.snapshot"])
    }

    @Test("a run that cannot be written while the pass reads on fails the pass, naming the file")
    func runNotWritten() throws {
        let scratch = try LocalDataScratch()
        let store = try SnapshotDigestStore(directory: scratch.file("snapshots"), runBytes: 4096)
        let diff = try store.beginDiff(resource: "people")
        let pass = try #require(try FileManager.default.contentsOfDirectory(atPath: store.directory).first { $0.contains(SnapshotDigestStore.passInfix) })
        // A directory where the second run's file should go: the spill writing it fails.
        try FileManager.default.createDirectory(atPath: store.directory + "/" + pass + "/run-2", withIntermediateDirectories: false)
        let error = #expect(throws: LocalDataError.self) {
            for index in 0..<2_000 { try diff.observe(key: [String(index)], digest: digest(1)) }
            _ = try compare(diff)
        }
        #expect(error?.location.contains("run-2") == true, "\(String(describing: error))")
    }

    @Test("snapshot files and their directory are private to the agent's user")
    func permissions() throws {
        let scratch = try LocalDataScratch()
        let store = try SnapshotDigestStore(directory: scratch.file("snapshots"))
        try accept(store, [("34052419800101001X", 1)])
        let directory = try FileManager.default.attributesOfItem(atPath: store.directory)
        let file = try FileManager.default.attributesOfItem(atPath: store.snapshotPath("people"))
        #expect((directory[.posixPermissions] as? NSNumber)?.intValue == 0o700)
        #expect((file[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test("the lines a pass keeps for its changed rows wait in a file private to the agent's user")
    func linesFilePermissions() throws {
        let scratch = try LocalDataScratch()
        let store = try SnapshotDigestStore(directory: scratch.file("snapshots"))
        let diff = try store.beginDiff(resource: "people")
        try observe(diff, [("34052419800101001X", 1)])
        let passes = try FileManager.default.contentsOfDirectory(atPath: store.directory).filter { $0.contains(SnapshotDigestStore.passInfix) }
        let lines = try FileManager.default.attributesOfItem(atPath: store.directory + "/" + passes[0] + "/lines")
        #expect((lines[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try compare(diff).inserted == ["34052419800101001X@1"])
    }

    @Test("a damaged snapshot file is an error naming it, never a shorter snapshot")
    func damagedSnapshot() throws {
        let scratch = try LocalDataScratch()
        let store = try SnapshotDigestStore(directory: scratch.file("snapshots"))
        try accept(store, [("1", 1), ("2", 2), ("3", 3)])
        let path = store.snapshotPath("people")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count - 10).write(to: URL(fileURLWithPath: path))
        let diff = try store.beginDiff(resource: "people")
        try observe(diff, [("1", 1)])
        let error = #expect(throws: LocalDataError.self) { try compare(diff) }
        #expect(error?.location == path)
        #expect(error?.reason.contains("damaged snapshot file") == true)
    }

    /// A digest store as agents kept it before snapshot files, holding `resources` (name, table id) each with
    /// the keys "1", "2", "3" whose digests are `digest(1)`, `digest(2)`, `digest(3)`.
    private func writeLegacyStore(_ path: String, resources: [(String, Int)]) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE gx_snapshot_resources (resource TEXT PRIMARY KEY, id INTEGER NOT NULL UNIQUE, pass INTEGER NOT NULL, row_count INTEGER NOT NULL)")
            for (resource, id) in resources {
                try db.execute(sql: "INSERT INTO gx_snapshot_resources VALUES (?, ?, 3, 3)", arguments: [resource, id])
                try db.execute(sql: "CREATE TABLE gx_snapshot_\(id) (key TEXT PRIMARY KEY, digest BLOB NOT NULL) WITHOUT ROWID")
                for (key, byte) in [("3", 3), ("1", 1), ("2", 2)] as [(String, UInt8)] {
                    try db.execute(sql: "INSERT INTO gx_snapshot_\(id) VALUES (?, ?)", arguments: [key, Data(digest(byte))])
                }
            }
        }
        try queue.close()
    }

    @Test("a snapshot kept in the SQLite digest store of earlier agents moves into its file on the next pass")
    func legacyImport() throws {
        let scratch = try LocalDataScratch()
        let legacy = scratch.file("snapshots.sqlite")
        try writeLegacyStore(legacy, resources: [("people", 7)])
        let store = try SnapshotDigestStore(directory: scratch.file("snapshots"), legacyDatabase: legacy)
        let diff = try store.beginDiff(resource: "people")
        #expect(diff.previousCount == 3)
        try observe(diff, [("1", 1), ("2", 20)])
        let outcome = try compare(diff)
        #expect(outcome.comparison == SnapshotComparison(inserted: 0, updated: 1, unchanged: 1, deleted: 1))
        #expect(outcome.deleted == [["3"]])
    }

    @Test("the old digest store is deleted once its last snapshot has moved, and kept while one is left")
    func legacyStoreRemovedWhenEmpty() throws {
        let scratch = try LocalDataScratch()
        let legacy = scratch.file("snapshots.sqlite")
        try writeLegacyStore(legacy, resources: [("people", 7), ("houses", 8)])
        let store = try SnapshotDigestStore(directory: scratch.file("snapshots"), legacyDatabase: legacy)
        #expect(try store.beginDiff(resource: "people").previousCount == 3)
        let left = try DatabaseQueue(path: legacy).read { db in
            (try db.tableExists("gx_snapshot_7"), try String.fetchAll(db, sql: "SELECT resource FROM gx_snapshot_resources"))
        }
        #expect(left.0 == false)
        #expect(left.1 == ["houses"])
        #expect(try store.beginDiff(resource: "houses").previousCount == 3)
        let files = try FileManager.default.contentsOfDirectory(atPath: (legacy as NSString).deletingLastPathComponent)
        #expect(!files.contains { $0.hasPrefix("snapshots.sqlite") }, "\(files)")
    }

    /// Writes `rows` as the resource's accepted snapshot in SM3, as agents did before SHA-256.
    private func writeSM3Snapshot(_ store: SnapshotDigestStore, _ rows: [(String, UInt8)], resource: String = "people") throws {
        let writer = try SnapshotFileWriter(path: store.snapshotPath(resource), kind: .sm3)
        for (key, byte) in rows.sorted(by: { $0.0 < $1.0 }) {
            let encoded = Array(SnapshotKey.encode([key]).utf8)
            try encoded.withUnsafeBytes { key in
                try digest(byte).withUnsafeBytes { digest in
                    try writer.append(key: key, digest: digest, line: UnsafeRawBufferPointer(start: nil, count: 0))
                }
            }
        }
        try writer.finish(durable: true)
    }

    private func magic(_ store: SnapshotDigestStore, resource: String = "people") throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: store.snapshotPath(resource))).prefix(8), as: UTF8.self)
    }

    @Test("a first pass digests its rows with SHA-256 and writes a GXSNAP02 snapshot")
    func firstPassIsSHA256() throws {
        let scratch = try LocalDataScratch()
        let store = try SnapshotDigestStore(directory: scratch.file("snapshots"))
        let diff = try store.beginDiff(resource: "people")
        #expect(diff.digestKind == .sha256)
        try observe(diff, [("1", 1)])
        _ = try compare(diff)
        try diff.commit()
        #expect(try magic(store) == "GXSNAP02")
    }

    @Test("a pass compared with an SM3 snapshot digests with SM3, so unchanged rows stay unchanged")
    func sm3SnapshotKeepsSM3() throws {
        let scratch = try LocalDataScratch()
        let store = try SnapshotDigestStore(directory: scratch.file("snapshots"))
        try writeSM3Snapshot(store, [("1", 1), ("2", 2)])
        let diff = try store.beginDiff(resource: "people")
        #expect(diff.digestKind == .sm3)
        try observe(diff, [("1", 1), ("2", 20)])
        let outcome = try compare(diff)
        #expect(outcome.comparison == SnapshotComparison(inserted: 0, updated: 1, unchanged: 1, deleted: 0))
        try diff.commit()
        #expect(try magic(store) == "GXSNAP01")
    }

    @Test("a full pass over an SM3 snapshot moves it to SHA-256, still finding the deleted keys")
    func fullPassMovesToSHA256() throws {
        let scratch = try LocalDataScratch()
        let store = try SnapshotDigestStore(directory: scratch.file("snapshots"))
        try writeSM3Snapshot(store, [("1", 1), ("2", 2)])
        let diff = try store.beginDiff(resource: "people", full: true)
        #expect(diff.digestKind == .sha256)
        try observe(diff, [("1", 1)])
        let outcome = try compare(diff)
        // Digests of two kinds cannot tell an unchanged row: it counts as updated (a full pass sends it anyway).
        #expect(outcome.comparison == SnapshotComparison(inserted: 0, updated: 1, unchanged: 0, deleted: 1))
        #expect(outcome.deleted == [["2"]])
        try diff.commit()
        #expect(try magic(store) == "GXSNAP02")
    }
}

extension SnapshotComparison {
    init(inserted: Int, updated: Int, unchanged: Int, deleted: Int) {
        self.init()
        self.inserted = inserted
        self.updated = updated
        self.unchanged = unchanged
        self.deleted = deleted
    }
}
