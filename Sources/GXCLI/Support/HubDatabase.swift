import Foundation
import GXPostgres
import GXStorage
import Logging

/// The hub's `--db`: a SQLite file (the embedded default), or a PostgreSQL database named by a URL
/// (`postgres://user@host:5432/gongxiang?sslmode=verify-full&sslrootcert=ca.pem`), or `postgres` alone to take
/// everything from libpq's environment variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE,
/// PGSSLROOTCERT).
struct HubDatabase {
    let location: String
    /// Set when `location` names PostgreSQL.
    let postgres: PostgresSettings?

    init(_ location: String) throws {
        self.location = location
        postgres = PostgresSettings.names(location) ? try PostgresSettings.parse(location) : nil
    }

    /// The SQLite file's directory, where the hub's key and batches live by default; nil for PostgreSQL.
    var sqliteDirectory: String? {
        postgres == nil ? (location as NSString).deletingLastPathComponent.nonEmpty ?? "." : nil
    }

    /// How to name the database in messages: never with its password.
    var description: String { postgres?.description ?? location }

    /// Opens the store (creating or migrating its schema) for the length of `body`.
    func withStore<Result: Sendable>(_ body: (any HubStore) async throws -> Result) async throws -> Result {
        if let postgres {
            var logger = Logger(label: "gongxiang.store")
            logger.logLevel = .warning
            return try await PostgresHubStore.withStore(settings: postgres, logger: logger) { try await body($0) }
        }
        return try await body(try SQLiteHubStore(path: location))
    }

    /// Runs the store for as long as `body` (the server) runs: PostgreSQL's connection pool beside it.
    func serving<Result: Sendable>(logger: Logger, _ body: (any HubStore) async throws -> Result) async throws -> Result {
        guard let postgres else { return try await body(try SQLiteHubStore(path: location)) }
        return try await PostgresHubStore.withStore(settings: postgres, maximumConnections: 20, logger: logger) { try await body($0) }
    }
}
