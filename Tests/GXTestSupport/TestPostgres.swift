import Foundation
import GXPostgres
import Logging
import PostgresNIO

/// The PostgreSQL server tests run against: `GX_TEST_POSTGRES_URL`, which `scripts/test.sh` sets after starting
/// a throwaway PostgreSQL 15. Without it, tests that need PostgreSQL fail, saying how to get one — they are
/// never skipped.
public enum TestPostgres {
    public static let environmentVariable = "GX_TEST_POSTGRES_URL"

    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    /// The test server, connected to its maintenance database.
    public static func server() throws -> PostgresSettings {
        guard let url = ProcessInfo.processInfo.environment[environmentVariable], !url.isEmpty else {
            throw Unavailable(description: """
                this test needs PostgreSQL and \(environmentVariable) is not set. Run the suite with scripts/test.sh, which \
                starts a throwaway PostgreSQL 15 (`eval "$(scripts/test-postgres.sh start)"` starts one by hand), or point \
                \(environmentVariable) at a server where you may CREATE DATABASE.
                """)
        }
        return try PostgresSettings.parse(url, environment: [:])
    }

    /// The CA bundle that signed the test server's certificate (`GX_TEST_POSTGRES_CA`).
    public static func certificateAuthority() throws -> String {
        guard let path = ProcessInfo.processInfo.environment["GX_TEST_POSTGRES_CA"], !path.isEmpty else {
            throw Unavailable(description: "GX_TEST_POSTGRES_CA is not set: scripts/test.sh sets it with the throwaway server it starts")
        }
        return path
    }

    /// A new, empty database on the test server, for one test.
    public static func freshDatabase() async throws -> PostgresSettings {
        var settings = try server()
        let name = "gx_" + UUID().uuidString.replacing("-", with: "").prefix(16).lowercased()
        try await withConnection(settings) { connection in
            try await connection.run(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        settings.database = name
        return settings
    }

    /// One connection for the length of `body`.
    public static func withConnection<Result: Sendable>(_ settings: PostgresSettings, _ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: try settings.connectionConfiguration(), id: 1, logger: logger)
        } catch {
            throw Unavailable(description: "cannot reach the test PostgreSQL at \(settings) (\(environmentVariable)): \(PostgresFailure(error)). Is it running? scripts/test.sh starts one.")
        }
        do {
            let result = try await body(connection)
            try? await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// Runs SQL statements (no parameters, `;`-separated, no `;` inside literals).
    public static func execute(_ sql: String, in settings: PostgresSettings) async throws {
        try await withConnection(settings) { connection in
            for statement in sql.split(separator: ";") where !statement.allSatisfy(\.isWhitespace) {
                try await connection.run(PostgresQuery(unsafeSQL: String(statement)), logger: logger)
            }
        }
    }

    /// Runs one SQL statement (no parameters) and returns every row's columns as text.
    public static func rows(_ sql: String, in settings: PostgresSettings) async throws -> [[String?]] {
        try await withConnection(settings) { connection in
            var result: [[String?]] = []
            for try await row in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger) {
                result.append(try row.map { cell in try cell.decode(String?.self) })
            }
            return result
        }
    }

    static let logger = Logger(label: "gongxiang.test-postgres")
}
