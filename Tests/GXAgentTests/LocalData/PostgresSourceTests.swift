import GXPostgres
import GXTestSupport
import Testing
@testable import GXAgent

@Suite("PostgreSQL source")
struct PostgresSourceTests {
    /// A provider database with `housing`: a text key, an integer, a numeric, a timestamp cursor.
    private func makeDatabase(_ rows: [String]) async throws -> PostgresSettings {
        let settings = try await TestPostgres.freshDatabase()
        try await TestPostgres.execute("""
            CREATE TABLE housing (unit TEXT PRIMARY KEY, rooms INTEGER, area NUMERIC(10,2), updated TIMESTAMPTZ)
            """, in: settings)
        if !rows.isEmpty { try await TestPostgres.execute("INSERT INTO housing VALUES " + rows.joined(separator: ", "), in: settings) }
        return settings
    }

    private func scan(_ source: PostgresSource, after: SourceCursor? = nil) async throws -> [SourceRow] {
        var rows: [SourceRow] = []
        try await source.scan(after: after) { rows.append($0) }
        return rows
    }

    @Test("a full scan visits every row ordered by key, values in PostgreSQL's text form, NULL as nil")
    func fullScan() async throws {
        let settings = try await makeDatabase([
            "('c', 3, 120.5, '2026-11-01 10:00:00+00')", "('a', NULL, 0.1, NULL)", "('b', 1, 99999.99, '2026-11-02 10:00:00+00')",
        ])
        let source = try await PostgresSource.open(settings: settings, table: "housing", keyColumns: ["unit"], cursorColumn: nil)
        #expect(try source.columns() == ["unit", "rooms", "area", "updated"])
        let rows = try await scan(source)
        #expect(rows.map(\.values) == [
            ["a", nil, "0.10", nil], ["b", "1", "99999.99", "2026-11-02 10:00:00+00"], ["c", "3", "120.50", "2026-11-01 10:00:00+00"],
        ])
        #expect(rows.allSatisfy { $0.cursor == nil })
        await source.close()
    }

    @Test("cursor mode reads rows after the cursor, ordered by (cursor, key), comparing timestamps as timestamps")
    func cursorMode() async throws {
        let settings = try await makeDatabase([
            "('a', 1, 1, '2026-11-01 09:00:00+00')", "('b', 1, 1, '2026-11-01 10:00:00+00')",
            "('c', 1, 1, '2026-11-01 10:00:00+00')", "('d', 1, 1, '2026-11-01 11:00:00+08')",
        ])
        let source = try await PostgresSource.open(settings: settings, table: "housing", keyColumns: ["unit"], cursorColumn: "updated")
        let all = try await scan(source)
        // 11:00+08 is 03:00 UTC: first in time, though last in text.
        #expect(all.map { $0.values[0] } == ["d", "a", "b", "c"])
        let afterB = try #require(all.first { $0.values[0] == "b" }?.cursor)
        #expect(try await scan(source, after: afterB).map { $0.values[0] } == ["c"])
        // A row updated later is seen again; rows not updated are not.
        try await TestPostgres.execute("UPDATE housing SET rooms = 2, updated = '2026-11-02 00:00:00+00' WHERE unit = 'a'", in: settings)
        let last = try #require(all.last?.cursor)
        #expect(try await scan(source, after: last).map(\.values) == [["a", "2", "1.00", "2026-11-02 00:00:00+00"]])
        await source.close()
    }

    @Test("a NULL cursor value is an error naming the column, not a silently skipped row")
    func nullCursor() async throws {
        let settings = try await makeDatabase(["('a', 1, 1, NULL)"])
        let source = try await PostgresSource.open(settings: settings, table: "housing", keyColumns: ["unit"], cursorColumn: "updated")
        let error = await #expect(throws: LocalDataError.self) { _ = try await scan(source) }
        #expect(error?.reason.contains("cursor column updated is NULL") == true)
        await source.close()
    }

    @Test("a missing table or key column is refused at open, naming it")
    func missingTableOrColumn() async throws {
        let settings = try await makeDatabase([])
        let table = await #expect(throws: LocalDataError.self) {
            _ = try await PostgresSource.open(settings: settings, table: "nope", keyColumns: ["unit"], cursorColumn: nil)
        }
        #expect(table?.reason == "no such table or view")
        let column = await #expect(throws: LocalDataError.self) {
            _ = try await PostgresSource.open(settings: settings, table: "housing", keyColumns: ["unit_no"], cursorColumn: nil)
        }
        #expect(column?.reason.contains("key column unit_no is not in the table") == true)
        #expect(column?.location.contains(":housing") == true)
    }
}
