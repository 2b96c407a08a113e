import GRDB
import Testing
@testable import GXAgent

@Suite("SQLite source")
struct SQLiteSourceTests {
    /// A provider database: `housing` with a text key, an integer, a real, an integer cursor and a text cursor.
    private func makeDatabase(_ scratch: LocalDataScratch, rows: [(String, Int?, Double?, Int?, String?)]) throws -> String {
        let path = scratch.file("tax.sqlite")
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: """
                CREATE TABLE housing (unit TEXT PRIMARY KEY, rooms INTEGER, area REAL, seq INTEGER, updated TEXT)
                """)
            for row in rows {
                try db.execute(sql: "INSERT INTO housing VALUES (?, ?, ?, ?, ?)",
                               arguments: [row.0, row.1, row.2, row.3, row.4])
            }
        }
        return path
    }

    private func scan(_ source: SQLiteSource, after: SourceCursor? = nil) throws -> [SourceRow] {
        var rows: [SourceRow] = []
        try source.scan(after: after) { rows.append($0) }
        return rows
    }

    @Test("a full scan visits every row ordered by key, with numbers as text and NULL as nil")
    func fullScan() throws {
        let scratch = try LocalDataScratch()
        let path = try makeDatabase(scratch, rows: [
            ("c", 3, 120.5, 1, "t1"), ("a", nil, 0.1, 2, nil), ("b", 1, 1700000000.123456, 3, "t2"),
        ])
        let source = try SQLiteSource(path: path, table: "housing", keyColumns: ["unit"], cursorColumn: nil)
        #expect(try source.columns() == ["unit", "rooms", "area", "seq", "updated"])
        let rows = try scan(source)
        #expect(rows.map(\.values) == [
            ["a", nil, "0.1", "2", nil], ["b", "1", "1700000000.123456", "3", "t2"], ["c", "3", "120.5", "1", "t1"],
        ])
        #expect(rows.allSatisfy { $0.cursor == nil })
    }

    @Test("cursor mode from the start orders by cursor then key and gives each row its cursor")
    func cursorFromStart() throws {
        let scratch = try LocalDataScratch()
        let path = try makeDatabase(scratch, rows: [
            ("d", 1, nil, 1, "t2"), ("b", 1, nil, 1, "t1"), ("a", 1, nil, 1, "t1"), ("c", 1, nil, 1, "t1"),
        ])
        let source = try SQLiteSource(path: path, table: "housing", keyColumns: ["unit"], cursorColumn: "updated")
        let rows = try scan(source)
        #expect(rows.map(\.cursor) == [
            SourceCursor(value: "t1", key: ["a"]), SourceCursor(value: "t1", key: ["b"]),
            SourceCursor(value: "t1", key: ["c"]), SourceCursor(value: "t2", key: ["d"]),
        ])
    }

    @Test("resuming from a cursor in the middle of rows sharing its value skips none of the rest")
    func resumeInsideTies() throws {
        let scratch = try LocalDataScratch()
        let path = try makeDatabase(scratch, rows: [
            ("a", 1, nil, 1, "t1"), ("b", 1, nil, 1, "t1"), ("c", 1, nil, 1, "t1"), ("d", 1, nil, 1, "t2"),
            ("0", 1, nil, 1, "t2"),
        ])
        let source = try SQLiteSource(path: path, table: "housing", keyColumns: ["unit"], cursorColumn: "updated")
        let rows = try scan(source, after: SourceCursor(value: "t1", key: ["b"]))
        #expect(rows.map { $0.values[0] } == ["c", "0", "d"])
        #expect(rows.last?.cursor == SourceCursor(value: "t2", key: ["d"]))
    }

    @Test("an integer cursor column compares as numbers, so 10 comes after 9")
    func integerCursor() throws {
        let scratch = try LocalDataScratch()
        let path = try makeDatabase(scratch, rows: [("a", nil, nil, 9, nil), ("b", nil, nil, 10, nil), ("c", nil, nil, 100, nil)])
        let source = try SQLiteSource(path: path, table: "housing", keyColumns: ["unit"], cursorColumn: "seq")
        let rows = try scan(source, after: SourceCursor(value: "9", key: ["a"]))
        #expect(rows.map(\.cursor) == [SourceCursor(value: "10", key: ["b"]), SourceCursor(value: "100", key: ["c"])])
    }

    @Test("a NULL cursor value is an error rather than a row silently never sent")
    func nullCursor() throws {
        let scratch = try LocalDataScratch()
        let path = try makeDatabase(scratch, rows: [("a", nil, nil, 1, "t1"), ("b", nil, nil, 2, nil)])
        let source = try SQLiteSource(path: path, table: "housing", keyColumns: ["unit"], cursorColumn: "updated")
        let error = #expect(throws: LocalDataError.self) {
            try scan(source, after: SourceCursor(value: "t1", key: ["a"]))
        }
        #expect(error?.location == "\(path):housing")
        #expect(error?.reason.contains("cursor column updated") == true)
    }

    @Test("a key column missing from the table is an error naming it")
    func missingKey() throws {
        let scratch = try LocalDataScratch()
        let path = try makeDatabase(scratch, rows: [])
        let error = #expect(throws: LocalDataError.self) {
            try SQLiteSource(path: path, table: "housing", keyColumns: ["bdcdyh"], cursorColumn: nil)
        }
        #expect(error?.location == "\(path):housing")
        #expect(error?.reason.contains("key column bdcdyh") == true)
    }

    @Test("a cursor column missing from the table is an error naming it")
    func missingCursor() throws {
        let scratch = try LocalDataScratch()
        let path = try makeDatabase(scratch, rows: [])
        let error = #expect(throws: LocalDataError.self) {
            try SQLiteSource(path: path, table: "housing", keyColumns: ["unit"], cursorColumn: "modified")
        }
        #expect(error?.reason.contains("cursor column modified") == true)
    }

    @Test("a missing table is an error naming database and table")
    func missingTable() throws {
        let scratch = try LocalDataScratch()
        let path = try makeDatabase(scratch, rows: [])
        let error = #expect(throws: LocalDataError.self) {
            try SQLiteSource(path: path, table: "people", keyColumns: ["id"], cursorColumn: nil)
        }
        #expect(error?.location == "\(path):people")
    }

    @Test("a missing database file is an error and is not created")
    func missingFile() throws {
        let scratch = try LocalDataScratch()
        let path = scratch.file("absent.sqlite")
        #expect(throws: LocalDataError.self) {
            try SQLiteSource(path: path, table: "housing", keyColumns: ["unit"], cursorColumn: nil)
        }
        #expect(!POSIXFile.exists(path))
    }

    @Test("identifiers with quotes and spaces are quoted safely")
    func awkwardIdentifiers() throws {
        let scratch = try LocalDataScratch()
        let path = scratch.file("odd.sqlite")
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: #"CREATE TABLE "my ""table""" ("the key" TEXT, "v;DROP" TEXT)"#)
            try db.execute(sql: #"INSERT INTO "my ""table""" VALUES ('k', 'v')"#)
        }
        let source = try SQLiteSource(path: path, table: "my \"table\"", keyColumns: ["the key"], cursorColumn: "v;DROP")
        #expect(try scan(source).map(\.values) == [["k", "v"]])
    }
}
