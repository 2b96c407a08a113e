import Foundation
import GXStorage
import Testing

/// The stores the hub and console suites run against: every such test runs once on each.
public enum StoreBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    public var testDescription: String { rawValue }

    /// A fresh, migrated store: a new SQLite file in `directory`, or a new database on the test PostgreSQL.
    public func makeStore(in directory: URL) async throws -> any HubStore {
        switch self {
        case .sqlite:
            return try SQLiteHubStore(path: directory.appendingPathComponent("hub.sqlite").path)
        case .postgres:
            let store = PostgresHubStore(settings: try await TestPostgres.freshDatabase(), maximumConnections: 3, idleTimeout: .seconds(2))
            // The pool runs for the rest of the test process; idle connections close after two seconds.
            Task { try await store.run() }
            try await store.prepare()
            return store
        }
    }
}
