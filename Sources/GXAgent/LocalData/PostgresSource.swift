import GXPostgres
import Logging
import PostgresNIO

/// A provider's own table (or view) in PostgreSQL, only ever read.
///
/// As `SQLiteSource`: without a cursor column every row is read, ordered by key (snapshot-diff mode); with one,
/// only rows strictly after a `SourceCursor`, ordered by (cursor, keys) and compared as a row value. Each pass
/// runs in one REPEATABLE READ, READ ONLY transaction, so it sees a single state of the table while the
/// agency's applications keep writing, and rows stream with backpressure: nothing holds the table in memory.
/// Values come back in PostgreSQL's text form (`::text`), which casts back exactly, so cursors round-trip.
public final class PostgresSource: RecordSource {
    public let table: String
    public let keyColumns: [String]
    public let cursorColumn: String?
    let connection: PostgresConnection
    let description: PostgresTable
    let location: String
    let logger: Logger

    private init(table: String, keyColumns: [String], cursorColumn: String?, connection: PostgresConnection, description: PostgresTable,
                 location: String, logger: Logger) {
        self.table = table
        self.keyColumns = keyColumns
        self.cursorColumn = cursorColumn
        self.connection = connection
        self.description = description
        self.location = location
        self.logger = logger
    }

    public static func open(settings: PostgresSettings, table: String, keyColumns: [String], cursorColumn: String?,
                            logger: Logger = Logger(label: "gongxiang.source")) async throws(LocalDataError) -> PostgresSource {
        let location = "\(settings):\(table)"
        guard !keyColumns.isEmpty else { throw LocalDataError(location: location, reason: "no key columns configured") }
        let connection = try await PostgresTable.connect(settings, location: location, logger: logger)
        do {
            let description = try await PostgresTable.describe(table, on: connection, logger: logger)
            let names = description.columns.map(\.name)
            guard !names.isEmpty else { throw LocalDataError(location: location, reason: "no such table or view") }
            for column in keyColumns + (cursorColumn.map { [$0] } ?? []) where !names.contains(column) {
                let role = column == cursorColumn ? "cursor" : "key"
                throw LocalDataError(location: location, reason: "\(role) column \(column) is not in the table (\(names.joined(separator: ", ")))")
            }
            return PostgresSource(table: table, keyColumns: keyColumns, cursorColumn: cursorColumn, connection: connection,
                                  description: description, location: location, logger: logger)
        } catch {
            try? await connection.close()
            throw LocalDataError.postgres(error, at: location, while: "cannot read the table's columns")
        }
    }

    public func columns() throws(LocalDataError) -> [String] {
        description.columns.map(\.name)
    }

    public func scan(after: SourceCursor?, _ body: (SourceRow) throws -> Void) async throws {
        let names = description.columns.map(\.name)
        let keyIndexes = keyColumns.map { names.firstIndex(of: $0)! }
        let cursorIndex = cursorColumn.map { names.firstIndex(of: $0)! }
        var sql = "SELECT " + names.map { "\($0.postgresIdentifier)::text" }.joined(separator: ", ") + " FROM \(description.sql)"
        var bindings = PostgresBindings()
        if let cursorColumn {
            let ordered = [cursorColumn] + keyColumns
            let ordering = ordered.map(\.postgresIdentifier).joined(separator: ", ")
            if let after {
                guard after.key.count == keyColumns.count else {
                    throw LocalDataError(location: location, reason: "cursor has \(after.key.count) key values, the source has \(keyColumns.count) key columns")
                }
                // Parameters cast to each column's own type, so the comparison is the column's, not text's.
                let types = ordered.map { column in description.columns.first { $0.name == column }!.type }
                for value in [after.value] + after.key { bindings.append(value) }
                let placeholders = types.enumerated().map { "$\($0.offset + 1)::\($0.element)" }.joined(separator: ", ")
                sql += " WHERE (\(ordering)) > (\(placeholders))"
            }
            sql += " ORDER BY \(ordering)"
        } else {
            guard after == nil else {
                throw LocalDataError(location: location, reason: "no cursor column configured; cannot resume from a cursor")
            }
            sql += " ORDER BY " + keyColumns.map(\.postgresIdentifier).joined(separator: ", ")
        }
        let query = PostgresQuery(unsafeSQL: sql, binds: bindings)
        do {
            try await connection.withTransaction(logger: logger) { connection in
                try await connection.run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
                if let cursorColumn {
                    let nulls = try await connection.query(PostgresQuery(unsafeSQL: """
                        SELECT 1 FROM \(description.sql) WHERE \(cursorColumn.postgresIdentifier) IS NULL LIMIT 1
                        """), logger: logger).collect()
                    if !nulls.isEmpty {
                        throw LocalDataError(location: location, reason: "cursor column \(cursorColumn) is NULL in some rows; cursor mode needs a value in every row")
                    }
                }
                var values: [String?] = []
                values.reserveCapacity(names.count)
                for try await row in try await connection.query(query, logger: logger) {
                    values.removeAll(keepingCapacity: true)
                    for cell in row { values.append(try cell.decode(String?.self)) }
                    var key: [String] = []
                    key.reserveCapacity(keyIndexes.count)
                    for index in keyIndexes {
                        guard let value = values[index] else {
                            throw LocalDataError(location: location, reason: "key column \(names[index]) is NULL in a row")
                        }
                        key.append(value)
                    }
                    let cursor = cursorIndex.map { SourceCursor(value: values[$0]!, key: key) }
                    do {
                        try body(SourceRow(values: values, cursor: cursor))
                    } catch {
                        throw PassThroughError(error)
                    }
                }
            }
        } catch let error as PostgresTransactionError {
            if let passed = error.closureError as? PassThroughError { throw passed.error }
            throw LocalDataError.postgres(error, at: location, while: "cannot read rows")
        } catch {
            throw LocalDataError.postgres(error, at: location, while: "cannot read rows")
        }
    }

    public func close() async {
        try? await connection.close()
    }
}
