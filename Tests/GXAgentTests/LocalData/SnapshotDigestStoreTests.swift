import Testing
@testable import GXAgent

@Suite("Snapshot digest store")
struct SnapshotDigestStoreTests {
    private func digest(_ byte: UInt8) -> [UInt8] {
        [UInt8](repeating: byte, count: 32)
    }

    private func deleted(_ diff: SnapshotDiff) throws -> [[String]] {
        var keys: [[String]] = []
        try diff.forEachDeleted { keys.append($0) }
        return keys.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// Commits a pass holding exactly `rows`.
    private func accept(_ store: SnapshotDigestStore, _ rows: [(String, UInt8)]) throws {
        let diff = try store.beginDiff(resource: "people")
        for (key, byte) in rows { _ = try diff.observe(key: [key], digest: digest(byte)) }
        try diff.commit()
    }

    @Test("the first pass sees every row as inserted and nothing deleted")
    func firstPass() throws {
        let scratch = try LocalDataScratch()
        let store = try SnapshotDigestStore(path: scratch.file("state.sqlite"))
        let diff = try store.beginDiff(resource: "people")
        #expect(try diff.observe(key: ["1"], digest: digest(1)) == .inserted)
        #expect(try diff.observe(key: ["2"], digest: digest(2)) == .inserted)
        #expect(try deleted(diff).isEmpty)
        try diff.commit()
        #expect(try store.count(resource: "people") == 2)
    }

    @Test("a later pass tells inserted, updated and unchanged rows apart and lists the deleted keys")
    func changes() throws {
        let scratch = try LocalDataScratch()
        let store = try SnapshotDigestStore(path: scratch.file("state.sqlite"))
        try accept(store, [("1", 1), ("2", 2), ("3", 3), ("4", 4)])
        let diff = try store.beginDiff(resource: "people")
        #expect(try diff.observe(key: ["1"], digest: digest(1)) == .unchanged)
        #expect(try diff.observe(key: ["2"], digest: digest(20)) == .updated)
        #expect(try diff.observe(key: ["5"], digest: digest(5)) == .inserted)
        #expect(try deleted(diff) == [["3"], ["4"]])
        try diff.commit()
        #expect(try store.count(resource: "people") == 3)
        let next = try store.beginDiff(resource: "people")
        #expect(try next.observe(key: ["2"], digest: digest(20)) == .unchanged)
        #expect(try deleted(next) == [["1"], ["5"]])
    }

    @Test("without commit the next pass still compares with the last accepted snapshot")
    func uncommittedPass() throws {
        let scratch = try LocalDataScratch()
        let path = scratch.file("state.sqlite")
        do {
            let store = try SnapshotDigestStore(path: path)
            try accept(store, [("1", 1), ("2", 2)])
            let abandoned = try store.beginDiff(resource: "people")
            #expect(try abandoned.observe(key: ["1"], digest: digest(9)) == .updated)
            #expect(try abandoned.observe(key: ["3"], digest: digest(3)) == .inserted)
        }
        let store = try SnapshotDigestStore(path: path)
        let diff = try store.beginDiff(resource: "people")
        #expect(try diff.observe(key: ["1"], digest: digest(9)) == .updated)
        #expect(try diff.observe(key: ["3"], digest: digest(3)) == .inserted)
        #expect(try deleted(diff) == [["2"]])
        #expect(try store.count(resource: "people") == 2)
    }

    @Test("a key observed twice in one pass is an error naming it")
    func duplicateKey() throws {
        let scratch = try LocalDataScratch()
        let store = try SnapshotDigestStore(path: scratch.file("state.sqlite"))
        let diff = try store.beginDiff(resource: "people")
        _ = try diff.observe(key: ["34052419800101001X"], digest: digest(1))
        let error = #expect(throws: LocalDataError.self) {
            try diff.observe(key: ["34052419800101001X"], digest: digest(2))
        }
        #expect(error?.reason.contains("duplicate key 34052419800101001X") == true)
    }

    @Test("resources keep separate snapshots")
    func separateResources() throws {
        let scratch = try LocalDataScratch()
        let store = try SnapshotDigestStore(path: scratch.file("state.sqlite"))
        try accept(store, [("1", 1)])
        let other = try store.beginDiff(resource: "companies")
        #expect(try other.observe(key: ["1"], digest: digest(1)) == .inserted)
        #expect(try deleted(other).isEmpty)
        #expect(try store.count(resource: "companies") == 0)
        #expect(try store.count(resource: "people") == 1)
    }

    @Test("composite keys, even with separator characters inside, come back whole as deleted keys")
    func compositeKeys() throws {
        let scratch = try LocalDataScratch()
        let store = try SnapshotDigestStore(path: scratch.file("state.sqlite"))
        let awkward = ["a\u{1F}b", "c\u{1B}", ""]
        let first = try store.beginDiff(resource: "deeds")
        #expect(try first.observe(key: awkward, digest: digest(1)) == .inserted)
        #expect(try first.observe(key: ["a", "b\u{1F}c", ""], digest: digest(1)) == .inserted)
        try first.commit()
        let second = try store.beginDiff(resource: "deeds")
        #expect(try second.observe(key: ["a", "b\u{1F}c", ""], digest: digest(1)) == .unchanged)
        #expect(try deleted(second) == [awkward])
    }

    @Test("a digest that is not 32 bytes is refused")
    func digestLength() throws {
        let scratch = try LocalDataScratch()
        let store = try SnapshotDigestStore(path: scratch.file("state.sqlite"))
        let diff = try store.beginDiff(resource: "people")
        #expect(throws: LocalDataError.self) { try diff.observe(key: ["1"], digest: [1, 2, 3]) }
    }

    @Test("beginning a new pass abandons the unfinished one, which can no longer commit")
    func supersededPass() throws {
        let scratch = try LocalDataScratch()
        let store = try SnapshotDigestStore(path: scratch.file("state.sqlite"))
        let old = try store.beginDiff(resource: "people")
        _ = try old.observe(key: ["1"], digest: digest(1))
        let new = try store.beginDiff(resource: "people")
        let error = #expect(throws: LocalDataError.self) { try old.commit() }
        #expect(error?.reason.contains("newer pass") == true)
        #expect(try new.observe(key: ["1"], digest: digest(1)) == .inserted)
        try new.commit()
        #expect(try store.count(resource: "people") == 1)
    }

    @Test("a committed pass cannot be used again")
    func committedPass() throws {
        let scratch = try LocalDataScratch()
        let store = try SnapshotDigestStore(path: scratch.file("state.sqlite"))
        let diff = try store.beginDiff(resource: "people")
        try diff.commit()
        #expect(throws: LocalDataError.self) { try diff.observe(key: ["1"], digest: digest(1)) }
    }

    @Test("passes larger than one staging transaction classify and commit every row")
    func manyRows() throws {
        let scratch = try LocalDataScratch()
        let store = try SnapshotDigestStore(path: scratch.file("state.sqlite"))
        let count = SnapshotDigestStore.batchSize * 2 + 17
        let first = try store.beginDiff(resource: "people")
        for index in 0..<count { _ = try first.observe(key: [String(index)], digest: digest(UInt8(index % 251))) }
        try first.commit()
        #expect(try store.count(resource: "people") == count)
        let second = try store.beginDiff(resource: "people")
        var changes: [SnapshotChange: Int] = [:]
        for index in 1..<count {
            let byte = UInt8(index % 251) &+ (index % 100 == 0 ? 1 : 0)
            changes[try second.observe(key: [String(index)], digest: digest(byte)), default: 0] += 1
        }
        #expect(changes[.updated] == (count - 1) / 100)
        #expect(changes[.unchanged] == count - 1 - (count - 1) / 100)
        #expect(try deleted(second) == [["0"]])
    }
}
