import GRDB

extension SQLiteSink {
    /// Streams every row (values in `columns()` order, as text) ordered by key, inside the caller's access.
    func forEachRowOrderedByKey(_ db: Database, _ body: ([String?]) throws -> Void) throws {
        let columnNames = try columns()
        let sql = "SELECT \(columnNames.map(\.sqlIdentifier).joined(separator: ", ")) "
            + "FROM \(table.sqlIdentifier) "
            + "ORDER BY \(keyColumns.map(\.sqlIdentifier).joined(separator: ", "))"
        let cursor = try Row.fetchCursor(db, sql: sql)
        var values: [String?] = []
        values.reserveCapacity(columnNames.count)
        while let row = try cursor.next() {
            values.removeAll(keepingCapacity: true)
            for index in columnNames.indices {
                values.append(row[index])
            }
            try body(values)
        }
    }
}
