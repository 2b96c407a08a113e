import GRDB
import GXDomain

extension SQLiteHubStore: AuditSearchStore {
    static let searchDialect = AuditSearchSQL.Dialect.sqlite

    public func auditPage(matching query: AuditQuery, scanLimit: Int?) async throws -> AuditSearchPage {
        try await AuditSearch(query: query, scanLimit: scanLimit).run(on: self)
    }

    func searchIntegers(_ statement: AuditSearchSQL.Statement) async throws -> [Int64?] {
        let arguments = Self.arguments(statement)
        return try await pool.read { db in try Int64?.fetchAll(db, sql: statement.sql, arguments: arguments) }
    }

    func searchEntries(_ statement: AuditSearchSQL.Statement) async throws -> [AuditEntry] {
        let arguments = Self.arguments(statement)
        return try await pool.read { db in
            try Row.fetchAll(db, sql: statement.sql, arguments: arguments).map(Self.auditEntry(from:))
        }
    }

    private static func arguments(_ statement: AuditSearchSQL.Statement) -> StatementArguments {
        StatementArguments(statement.arguments.map { argument -> any DatabaseValueConvertible in
            switch argument {
            case let .text(text): text
            case let .integer(integer): integer
            // Not produced for SQLite, which reads a stretch through its range (see `AuditSearchSQL.entries(among:)`).
            case let .integers(integers): "[" + integers.map(String.init).joined(separator: ",") + "]"
            }
        })
    }
}
