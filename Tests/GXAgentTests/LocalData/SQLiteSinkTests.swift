import GRDB
import GXDomain
import Testing
@testable import GXAgent

@Suite("SQLite sink")
struct SQLiteSinkTests {
    private struct Refusal: Error {}

    private func makeSink(_ scratch: LocalDataScratch) throws -> SQLiteSink {
        try SQLiteSink(path: scratch.file("consumer.sqlite"), table: "people", keyColumns: ["id"],
                       createColumns: ["id", "name", "city"])
    }

    private func contents(_ path: String, _ table: String = "people") throws -> [[String?]] {
        try DatabaseQueue(path: path).read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY 1").map { row in
                (0..<row.count).map { row[$0] as String? }
            }
        }
    }

    @Test("a missing table is created from the given columns, key first in the primary key")
    func createsTable() throws {
        let scratch = try LocalDataScratch()
        let sink = try makeSink(scratch)
        #expect(try sink.columns() == ["id", "name", "city"])
    }

    @Test("a created table is clustered on its key (WITHOUT ROWID), so an upsert writes one b-tree")
    func createdTableClusteredOnKey() throws {
        let scratch = try LocalDataScratch()
        let sink = try makeSink(scratch)
        let sql = try DatabaseQueue(path: sink.path).read { db in
            try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'people'")
        }
        #expect(sql?.hasSuffix("WITHOUT ROWID") == true, "\(sql ?? "no table")")
    }

    @Test("a column mapped after the table was made (an amended agreement's new item) is added, empty for the rows already there")
    func addsMappedColumn() throws {
        let scratch = try LocalDataScratch()
        let sink = try makeSink(scratch)
        try sink.apply(stream: "s", checkpoint: 1) { try $0.upsert(["1", "Li", "Beijing"]) }
        let reopened = try SQLiteSink(path: sink.path, table: "people", keyColumns: ["id"], createColumns: ["id", "name", "city", "phone"])
        #expect(try reopened.columns() == ["id", "name", "city", "phone"])
        try reopened.apply(stream: "s", checkpoint: 2) { try $0.upsert(["2", "Wang", "Tianjin", "13800000000"]) }
        #expect(try contents(sink.path) == [["1", "Li", "Beijing", nil], ["2", "Wang", "Tianjin", "13800000000"]])
        #expect(try reopened.checkpoint(stream: "s") == 2)
        // Without `create` the table is used as it is.
        let asIs = try SQLiteSink(path: sink.path, table: "people", keyColumns: ["id"])
        #expect(try asIs.columns() == ["id", "name", "city", "phone"])
    }

    @Test("upserts insert new keys and replace rows with existing keys")
    func upsert() throws {
        let scratch = try LocalDataScratch()
        let sink = try makeSink(scratch)
        try sink.apply(stream: "s", checkpoint: 1) { tx in
            try tx.upsert(["1", "Li", "Beijing"])
            try tx.upsert(["2", "Wang", nil])
        }
        try sink.apply(stream: "s", checkpoint: 2) { tx in
            try tx.upsert(["1", "Li", "Tianjin"])
        }
        #expect(try contents(sink.path) == [["1", "Li", "Tianjin"], ["2", "Wang", nil]])
    }

    /// `values` as a checked canonical line, for `upsert(line:placing:)`.
    private func checkedLine(_ values: [String?]) throws -> CanonicalRecordLine {
        var bytes: [UInt8] = []
        CanonicalRecord(operation: .upsert, values: values).write(into: &bytes)
        var tokens: [Int] = []
        return try CanonicalRecordLine(checking: bytes.dropLast(), valueCount: values.count, tokens: &tokens)
    }

    @Test("a checked line's values are bound as they travelled, each into its placed column: escapes decoded, null left NULL, other columns NULL")
    func upsertPlacingLine() throws {
        let scratch = try LocalDataScratch()
        let sink = try makeSink(scratch)
        try sink.apply(stream: "s", checkpoint: 1) { tx in
            let placing = try #require(tx as? any PlacingSinkTransaction)
            // The line holds id, city, name; the table is id, name, city.
            try placing.upsert(line: try checkedLine(["1", "北京 \"东城\"\\", "李"]), placing: [0, 2, 1])
            try placing.upsert(line: try checkedLine(["2", nil]), placing: [0, 2])
            try placing.upsert(line: try checkedLine(["1", "天津", "李"]), placing: [0, 2, 1])
        }
        #expect(try contents(sink.path) == [["1", "李", "天津"], ["2", nil, nil]])
        try sink.apply(stream: "s", checkpoint: 2) { tx in
            try #require(tx as? any PlacingSinkTransaction).upsert(line: try checkedLine(["3", "北京 \"东城\"\\", "王"]), placing: [0, 2, 1])
            try tx.upsert(["4", "王", "北京 \"东城\"\\"])
        }
        let rows = try contents(sink.path)
        #expect(rows[2] == ["3", "王", "北京 \"东城\"\\"])
        #expect(rows[3][2] == rows[2][2], "the placed line and the String upsert store the same value")
    }

    @Test("a placed line's empty value is stored as empty text, not NULL")
    func upsertPlacingEmptyValue() throws {
        let scratch = try LocalDataScratch()
        let sink = try makeSink(scratch)
        try sink.apply(stream: "s", checkpoint: 1) { tx in
            try #require(tx as? any PlacingSinkTransaction).upsert(line: try checkedLine(["5", "", nil]), placing: [0, 1, 2])
        }
        #expect(try contents(sink.path) == [["5", "", nil]])
    }

    @Test("a placed line whose key is null is refused, naming the key column, and nothing of its transaction stays")
    func upsertPlacingNullKey() throws {
        let scratch = try LocalDataScratch()
        let sink = try makeSink(scratch)
        #expect {
            try sink.apply(stream: "s", checkpoint: 1) { tx in
                let placing = try #require(tx as? any PlacingSinkTransaction)
                try placing.upsert(line: try checkedLine(["1", "李"]), placing: [0, 1])
                try placing.upsert(line: try checkedLine([nil, "王"]), placing: [0, 1])
            }
        } throws: { error in
            "\(error)".contains("NULL key column id")
        }
        #expect(try contents(sink.path).isEmpty)
        #expect(try sink.checkpoint(stream: "s") == nil)
    }

    @Test("deletes remove rows by key and ignore absent keys")
    func delete() throws {
        let scratch = try LocalDataScratch()
        let sink = try makeSink(scratch)
        try sink.apply(stream: "s", checkpoint: 1) { tx in
            try tx.upsert(["1", "Li", nil])
            try tx.upsert(["2", "Wang", nil])
        }
        try sink.apply(stream: "s", checkpoint: 2) { tx in
            try tx.delete(key: ["1"])
            try tx.delete(key: ["9"])
        }
        #expect(try contents(sink.path) == [["2", "Wang", nil]])
    }

    @Test("the checkpoint of each stream is stored with the data")
    func checkpoints() throws {
        let scratch = try LocalDataScratch()
        let sink = try makeSink(scratch)
        #expect(try sink.checkpoint(stream: "a") == nil)
        try sink.apply(stream: "a", checkpoint: 7) { try $0.upsert(["1", nil, nil]) }
        try sink.apply(stream: "b", checkpoint: 3) { _ in }
        #expect(try sink.checkpoint(stream: "a") == 7)
        #expect(try sink.checkpoint(stream: "b") == 3)
        let reopened = try SQLiteSink(path: sink.path, table: "people", keyColumns: ["id"])
        #expect(try reopened.checkpoint(stream: "a") == 7)
    }

    @Test("a body that throws rolls back its changes and the checkpoint")
    func rollback() throws {
        let scratch = try LocalDataScratch()
        let sink = try makeSink(scratch)
        try sink.apply(stream: "s", checkpoint: 1) { try $0.upsert(["1", "Li", nil]) }
        #expect(throws: Refusal.self) {
            try sink.apply(stream: "s", checkpoint: 2) { tx in
                try tx.upsert(["1", "changed", nil])
                try tx.upsert(["2", "new", nil])
                try tx.delete(key: ["1"])
                throw Refusal()
            }
        }
        #expect(try contents(sink.path) == [["1", "Li", nil]])
        #expect(try sink.checkpoint(stream: "s") == 1)
    }

    @Test("a batch not after the stored checkpoint is refused and changes nothing")
    func replayRefused() throws {
        let scratch = try LocalDataScratch()
        let sink = try makeSink(scratch)
        try sink.apply(stream: "s", checkpoint: 5) { try $0.upsert(["1", "Li", nil]) }
        let error = #expect(throws: LocalDataError.self) {
            try sink.apply(stream: "s", checkpoint: 5) { try $0.upsert(["1", "again", nil]) }
        }
        #expect(error?.reason.contains("already applied") == true)
        #expect(try contents(sink.path) == [["1", "Li", nil]])
    }

    @Test("an upsert with the wrong number of values is an error naming database and table")
    func wrongArity() throws {
        let scratch = try LocalDataScratch()
        let sink = try makeSink(scratch)
        let error = #expect(throws: LocalDataError.self) {
            try sink.apply(stream: "s", checkpoint: 1) { try $0.upsert(["1", "Li"]) }
        }
        #expect(error?.location == "\(sink.path):people")
        #expect(try sink.checkpoint(stream: "s") == nil)
    }

    @Test("a missing table without columns to create it is an error")
    func missingTable() throws {
        let scratch = try LocalDataScratch()
        _ = try makeSink(scratch)
        let error = #expect(throws: LocalDataError.self) {
            try SQLiteSink(path: scratch.file("consumer.sqlite"), table: "housing", keyColumns: ["id"])
        }
        #expect(error?.location == "\(scratch.file("consumer.sqlite")):housing")
    }

    @Test("an existing table without a unique index over the key columns is refused")
    func needsUniqueKey() throws {
        let scratch = try LocalDataScratch()
        let path = scratch.file("consumer.sqlite")
        try DatabaseQueue(path: path).write { db in try db.execute(sql: "CREATE TABLE loose (id TEXT, name TEXT)") }
        let error = #expect(throws: LocalDataError.self) {
            try SQLiteSink(path: path, table: "loose", keyColumns: ["id"])
        }
        #expect(error?.reason.contains("PRIMARY KEY or UNIQUE") == true)
    }

    @Test("an existing table is used as is, with its own column order and a composite key")
    func existingTable() throws {
        let scratch = try LocalDataScratch()
        let path = scratch.file("consumer.sqlite")
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "CREATE TABLE deeds (note TEXT, unit TEXT, seller TEXT, PRIMARY KEY (unit, seller))")
        }
        let sink = try SQLiteSink(path: path, table: "deeds", keyColumns: ["unit", "seller"])
        #expect(try sink.columns() == ["note", "unit", "seller"])
        try sink.apply(stream: "s", checkpoint: 1) { tx in
            try tx.upsert(["first", "u1", "s1"])
            try tx.upsert(["second", "u1", "s2"])
            try tx.upsert(["replaced", "u1", "s1"])
        }
        try sink.apply(stream: "s", checkpoint: 2) { try $0.delete(key: ["u1", "s2"]) }
        #expect(try contents(path, "deeds") == [["replaced", "u1", "s1"]])
    }

    @Test("the sink's database is in WAL mode")
    func walMode() throws {
        let scratch = try LocalDataScratch()
        let sink = try makeSink(scratch)
        let mode = try DatabaseQueue(path: sink.path).read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
    }
}
