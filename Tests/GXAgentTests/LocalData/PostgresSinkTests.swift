import GXPostgres
import GXTestSupport
import Testing
@testable import GXAgent

@Suite("PostgreSQL sink")
struct PostgresSinkTests {
    private struct Refusal: Error {}

    private func makeSink(_ settings: PostgresSettings? = nil) async throws -> (PostgresSink, PostgresSettings) {
        var database: PostgresSettings
        if let settings { database = settings } else { database = try await TestPostgres.freshDatabase() }
        let sink = try await PostgresSink.open(settings: database, table: "people", keyColumns: ["id"], createColumns: ["id", "name", "city"])
        return (sink, database)
    }

    private func contents(_ settings: PostgresSettings) async throws -> [[String?]] {
        try await TestPostgres.rows("SELECT id, name, city FROM people ORDER BY id", in: settings)
    }

    @Test("a missing table is created from the given columns with the key as primary key")
    func createsTable() async throws {
        let (sink, settings) = try await makeSink()
        await sink.close()
        #expect(try sink.columns() == ["id", "name", "city"])
        let key = try await TestPostgres.rows("""
            SELECT a.attname::text FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
            WHERE i.indrelid = 'people'::regclass AND i.indisprimary
            """, in: settings)
        #expect(key == [["id"]])
    }

    @Test("a column mapped after the table was made (an amended agreement's new item) is added, empty for the rows already there")
    func addsMappedColumn() async throws {
        let (sink, settings) = try await makeSink()
        try await sink.apply(stream: "s", checkpoint: 1) { try $0.upsert(["1", "Li", "Beijing"]) }
        await sink.close()
        let reopened = try await PostgresSink.open(settings: settings, table: "people", keyColumns: ["id"], createColumns: ["id", "name", "city", "phone"])
        #expect(try reopened.columns() == ["id", "name", "city", "phone"])
        try await reopened.apply(stream: "s", checkpoint: 2) { try $0.upsert(["2", "Wang", "Tianjin", "13800000000"]) }
        await reopened.close()
        let rows = try await TestPostgres.rows("SELECT id, name, city, phone FROM people ORDER BY id", in: settings)
        #expect(rows == [["1", "Li", "Beijing", nil], ["2", "Wang", "Tianjin", "13800000000"]])
    }

    @Test("upserts insert new keys and replace rows; deletes remove rows and ignore absent keys")
    func upsertAndDelete() async throws {
        let (sink, settings) = try await makeSink()
        try await sink.apply(stream: "s", checkpoint: 1) { tx in
            try tx.upsert(["1", "Li", "Beijing"])
            try tx.upsert(["2", "Wang", nil])
            try tx.upsert(["3", "Zhao", nil])
        }
        try await sink.apply(stream: "s", checkpoint: 2) { tx in
            try tx.upsert(["1", "Li", "Tianjin"])
            try tx.delete(key: ["3"])
            try tx.delete(key: ["9"])
        }
        await sink.close()
        #expect(try await contents(settings) == [["1", "Li", "Tianjin"], ["2", "Wang", nil]])
    }

    @Test("a batch of only upserts that meets a key the table holds still replaces it and inserts the rest")
    func upsertsMeetingExistingKeys() async throws {
        let (sink, settings) = try await makeSink()
        // Only new keys: copied straight into the table.
        try await sink.apply(stream: "s", checkpoint: 1) { tx in
            for id in 1...50 { try tx.upsert([String(id), "v1", nil]) }
        }
        // New keys and one existing key at the end: the straight COPY fails on it and the batch is merged.
        try await sink.apply(stream: "s", checkpoint: 2) { tx in
            for id in 51...99 { try tx.upsert([String(id), "v2", nil]) }
            try tx.upsert(["7", "v2", "Shanghai"])
        }
        #expect(try await sink.checkpoint(stream: "s") == 2)
        await sink.close()
        let rows = try await contents(settings)
        #expect(rows.count == 99)
        #expect(rows.first { $0[0] == "7" } == ["7", "v2", "Shanghai"])
        #expect(rows.filter { $0[1] == "v1" }.count == 49)
        #expect(rows.filter { $0[1] == "v2" }.count == 50)
    }

    @Test("within one batch the last change to a key wins, as if applied one by one")
    func lastChangeWins() async throws {
        let (sink, settings) = try await makeSink()
        try await sink.apply(stream: "s", checkpoint: 1) { tx in
            try tx.upsert(["1", "first", nil])
            try tx.delete(key: ["1"])
            try tx.upsert(["2", "first", nil])
            try tx.upsert(["2", "second", nil])
            try tx.upsert(["3", "kept", nil])
            try tx.delete(key: ["3"])
            try tx.upsert(["3", "back", nil])
        }
        await sink.close()
        #expect(try await contents(settings) == [["2", "second", nil], ["3", "back", nil]])
    }

    @Test("tabs, newlines, backslashes, 中文 and the text \\N arrive exactly; NULL stays NULL")
    func escaping() async throws {
        let (sink, settings) = try await makeSink()
        let awkward = "a\tb\nc\\d\r\\N 北京市朝阳区"
        try await sink.apply(stream: "s", checkpoint: 1) { tx in
            try tx.upsert(["1", awkward, nil])
            try tx.upsert(["2", "\\N", ""])
        }
        await sink.close()
        #expect(try await contents(settings) == [["1", awkward, nil], ["2", "\\N", ""]])
    }

    @Test("the checkpoint commits with the data; a failing batch leaves both as they were")
    func atomicity() async throws {
        let (sink, settings) = try await makeSink()
        #expect(try await sink.checkpoint(stream: "s") == nil)
        try await sink.apply(stream: "s", checkpoint: 1) { try $0.upsert(["1", "Li", nil]) }
        await #expect(throws: Refusal.self) {
            try await sink.apply(stream: "s", checkpoint: 2) { tx in
                try tx.upsert(["2", "Wang", nil])
                throw Refusal()
            }
        }
        #expect(try await sink.checkpoint(stream: "s") == 1)
        #expect(try await contents(settings) == [["1", "Li", nil]])
        await sink.close()
        let (reopened, _) = try await makeSink(settings)
        #expect(try await reopened.checkpoint(stream: "s") == 1)
        await reopened.close()
    }

    @Test("a batch not after the stored checkpoint is refused and changes nothing")
    func alreadyApplied() async throws {
        let (sink, settings) = try await makeSink()
        try await sink.apply(stream: "s", checkpoint: 5) { try $0.upsert(["1", "Li", nil]) }
        let error = await #expect(throws: LocalDataError.self) {
            try await sink.apply(stream: "s", checkpoint: 5) { try $0.upsert(["1", "again", nil]) }
        }
        #expect(error?.reason.contains("already applied") == true)
        await sink.close()
        #expect(try await contents(settings) == [["1", "Li", nil]])
    }

    @Test("values are cast to the table's own column types")
    func typedColumns() async throws {
        let settings = try await TestPostgres.freshDatabase()
        try await TestPostgres.execute("CREATE TABLE people (id BIGINT PRIMARY KEY, born DATE, income NUMERIC(12,2))", in: settings)
        let sink = try await PostgresSink.open(settings: settings, table: "people", keyColumns: ["id"])
        try await sink.apply(stream: "s", checkpoint: 1) { tx in
            try tx.upsert(["10", "1980-01-31", "12.5"])
            try tx.upsert(["9", nil, nil])
        }
        try await sink.apply(stream: "s", checkpoint: 2) { try $0.delete(key: ["9"]) }
        await sink.close()
        #expect(try await TestPostgres.rows("SELECT id::text, born::text, income::text FROM people ORDER BY id", in: settings) == [["10", "1980-01-31", "12.50"]])
    }

    @Test("a table without a unique index over exactly the key columns is refused at open")
    func needsUniqueKey() async throws {
        let settings = try await TestPostgres.freshDatabase()
        try await TestPostgres.execute("CREATE TABLE people (id TEXT, name TEXT)", in: settings)
        let error = await #expect(throws: LocalDataError.self) {
            _ = try await PostgresSink.open(settings: settings, table: "people", keyColumns: ["id"])
        }
        #expect(error?.reason.contains("PRIMARY KEY or UNIQUE index over exactly (id)") == true)
    }
}
