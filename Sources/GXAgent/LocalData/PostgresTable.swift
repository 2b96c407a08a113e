import GXPostgres
import Logging
import PostgresNIO

/// What sources and sinks need to know about a table in an agency's PostgreSQL database, read from the
/// catalog with the table name bound as a value (so any name is safe).
struct PostgresTable {
    let name: String
    /// Column names and their types as SQL spells them (`format_type`), in table order; empty when missing.
    let columns: [(name: String, type: String)]

    /// The quoted, possibly schema-qualified name, for SQL text.
    var sql: String { name.postgresQualifiedName }

    static func describe(_ name: String, on connection: PostgresConnection, logger: Logger) async throws -> PostgresTable {
        let rows = try await connection.query("""
            SELECT a.attname::text, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
            WHERE a.attrelid = to_regclass(\(name.postgresQualifiedName)) AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum
            """, logger: logger)
        var columns: [(String, String)] = []
        for try await column in rows.decode((String, String).self) { columns.append(column) }
        return PostgresTable(name: name, columns: columns)
    }

    /// The table's schema prefix (`register.`), or empty: where our checkpoint table goes beside it.
    var schemaPrefix: String {
        guard let dot = name.firstIndex(of: ".") else { return "" }
        return String(name[..<dot]).postgresIdentifier + "."
    }

    static func connect(_ settings: PostgresSettings, location: String, logger: Logger) async throws(LocalDataError) -> PostgresConnection {
        do {
            return try await PostgresConnection.connect(configuration: try settings.connectionConfiguration(), id: 1, logger: logger)
        } catch let error as PostgresSettingsError {
            throw LocalDataError(location: location, reason: error.description)
        } catch {
            throw LocalDataError(location: location, reason: "cannot connect: \(PostgresFailure(error))")
        }
    }
}

extension LocalDataError {
    /// Rewords a PostgreSQL failure so callers only ever see `LocalDataError` naming the database and table.
    static func postgres(_ error: any Error, at location: String, while action: String) -> LocalDataError {
        if let error = error as? LocalDataError { return error }
        if let error = error as? PostgresTransactionError {
            return postgres(error.closureError ?? error.beginError ?? error.commitError ?? PostgresFailure(error), at: location, while: action)
        }
        return LocalDataError(location: location, reason: "\(action): \(PostgresFailure(error))")
    }
}
