import Foundation
import GRDB

/// A provider's own table (or view), opened read-only.
///
/// Without a cursor column every row is read, ordered by key. With one (e.g. an `updated_at` the agency's
/// application maintains), only rows strictly after a `SourceCursor` are read, ordered by (cursor, keys) and
/// compared as a row value, so rows sharing a cursor value are neither skipped nor repeated on resume.
/// Values come back as text: integers in decimal, reals in their shortest exact form, NULL as `nil`.
public final class SQLiteSource: RecordSource {
    public let path: String
    public let table: String
    public let keyColumns: [String]
    public let cursorColumn: String?
    private let queue: DatabaseQueue
    private let columnNames: [String]
    private let keyIndexes: [Int]
    private let cursorIndex: Int?

    /// `database:table`, as errors name it.
    var location: String { "\(path):\(table)" }

    public init(path: String, table: String, keyColumns: [String], cursorColumn: String?) throws(LocalDataError) {
        self.path = path
        self.table = table
        self.keyColumns = keyColumns
        self.cursorColumn = cursorColumn
        let location = "\(path):\(table)"
        guard !keyColumns.isEmpty else { throw LocalDataError(location: location, reason: "no key columns configured") }
        let queue = try LocalDatabase.open(path: path, location: location, mode: .readOnly)
        self.queue = queue
        let names = try LocalDataError.catching(at: location, while: "cannot read the table's columns") {
            try queue.read { db in try LocalDatabase.columns(db, table: table) }
        }
        guard !names.isEmpty else { throw LocalDataError(location: location, reason: "no such table or view") }
        columnNames = names
        var indexes: [Int] = []
        for column in keyColumns {
            guard let index = names.firstIndex(of: column) else {
                throw LocalDataError(location: location, reason: "key column \(column) is not in the table (\(names.joined(separator: ", ")))")
            }
            indexes.append(index)
        }
        keyIndexes = indexes
        if let cursorColumn {
            guard let index = names.firstIndex(of: cursorColumn) else {
                throw LocalDataError(location: location, reason: "cursor column \(cursorColumn) is not in the table (\(names.joined(separator: ", ")))")
            }
            cursorIndex = index
        } else {
            cursorIndex = nil
        }
    }

    public func columns() throws(LocalDataError) -> [String] {
        columnNames
    }

    /// Reads inside one read transaction, so the pass sees a single consistent state of the table even
    /// while the agency's application keeps writing.
    public func scan(after: SourceCursor?, _ body: (SourceRow) throws -> Void) throws {
        let select = columnNames.map(\.sqlIdentifier).joined(separator: ", ")
        let keys = keyColumns.map(\.sqlIdentifier)
        let from = "SELECT \(select) FROM \(table.sqlIdentifier)"
        var sql: String
        var arguments: [String] = []
        if let cursorColumn {
            let ordering = ([cursorColumn.sqlIdentifier] + keys).joined(separator: ", ")
            sql = from
            if let after {
                guard after.key.count == keyColumns.count else {
                    throw LocalDataError(location: location,
                                         reason: "cursor has \(after.key.count) key values, the source has \(keyColumns.count) key columns")
                }
                let placeholders = Array(repeating: "?", count: keyColumns.count + 1).joined(separator: ", ")
                sql += " WHERE (\(ordering)) > (\(placeholders))"
                arguments = [after.value] + after.key
            }
            sql += " ORDER BY \(ordering)"
        } else {
            guard after == nil else {
                throw LocalDataError(location: location, reason: "no cursor column configured; cannot resume from a cursor")
            }
            sql = from + " ORDER BY " + keys.joined(separator: ", ")
        }
        do {
            try queue.read { db in
                if let cursorColumn { try Self.requireCursorValues(db, table: table, cursorColumn: cursorColumn, location: location) }
                let statement = try db.makeStatement(sql: sql)
                let rows = try Row.fetchCursor(statement, arguments: StatementArguments(arguments))
                var values: [String?] = []
                values.reserveCapacity(columnNames.count)
                while let row = try rows.next() {
                    values.removeAll(keepingCapacity: true)
                    for index in columnNames.indices {
                        values.append(try text(row, index))
                    }
                    var key: [String] = []
                    key.reserveCapacity(keyIndexes.count)
                    for index in keyIndexes {
                        guard let value = values[index] else {
                            throw LocalDataError(location: location, reason: "key column \(columnNames[index]) is NULL in a row")
                        }
                        key.append(value)
                    }
                    var cursor: SourceCursor?
                    if let cursorIndex {
                        guard let value = values[cursorIndex] else {
                            throw Self.nullCursorError(cursorColumn: columnNames[cursorIndex], location: location)
                        }
                        cursor = SourceCursor(value: value, key: key)
                    }
                    do {
                        try body(SourceRow(values: values, cursor: cursor))
                    } catch {
                        throw PassThroughError(error)
                    }
                }
            }
        } catch let error as PassThroughError {
            throw error.error
        } catch {
            throw LocalDataError.database(error, at: location, while: "cannot read rows")
        }
    }

    /// A NULL cursor value can't be compared, so `(c, k) > (?, ?)` would silently drop the row forever.
    private static func requireCursorValues(_ db: Database, table: String, cursorColumn: String, location: String) throws {
        let sql = "SELECT 1 FROM \(table.sqlIdentifier) WHERE \(cursorColumn.sqlIdentifier) IS NULL LIMIT 1"
        if try Bool.fetchOne(db, sql: sql) != nil {
            throw nullCursorError(cursorColumn: cursorColumn, location: location)
        }
    }

    private static func nullCursorError(cursorColumn: String, location: String) -> LocalDataError {
        LocalDataError(location: location, reason: "cursor column \(cursorColumn) is NULL in some rows; cursor mode needs a value in every row")
    }

    /// Reals use Swift's shortest round-trip form: SQLite's own text form keeps only 15 digits, and a
    /// rounded cursor value would make `> cursor` skip or repeat rows.
    private func text(_ row: Row, _ index: Int) throws -> String? {
        let value: DatabaseValue = row[index]
        switch value.storage {
        case .null:
            return nil
        case let .int64(integer):
            return String(integer)
        case let .double(real):
            return real.description
        case let .string(string):
            return string
        case let .blob(data):
            guard let string = String(bytes: data, encoding: .utf8) else {
                throw LocalDataError(location: location, reason: "column \(columnNames[index]) holds binary data that is not UTF-8 text")
            }
            return string
        }
    }
}
