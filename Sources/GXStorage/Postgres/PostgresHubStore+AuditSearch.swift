import GXDomain
import PostgresNIO

extension PostgresHubStore: AuditSearchStore {
    static let searchDialect = AuditSearchSQL.Dialect.postgres

    public func auditPage(matching query: AuditQuery, scanLimit: Int?) async throws -> AuditSearchPage {
        try await AuditSearch(query: query, scanLimit: scanLimit).run(on: self)
    }

    func searchIntegers(_ statement: AuditSearchSQL.Statement) async throws -> [Int64?] {
        let query = Self.postgresQuery(statement)
        return try await read { [self] connection in
            var values: [Int64?] = []
            for try await value in try await connection.query(query, logger: logger).decode(Int64?.self) { values.append(value) }
            return values
        }
    }

    func searchEntries(_ statement: AuditSearchSQL.Statement) async throws -> [AuditEntry] {
        let query = Self.postgresQuery(statement)
        return try await read { [self] connection in
            try await connection.query(query, logger: logger).collect().map(Self.auditEntry(from:))
        }
    }

    /// The statement with its `?` numbered as `$1`, `$2`, … in order, each value bound.
    private static func postgresQuery(_ statement: AuditSearchSQL.Statement) -> PostgresQuery {
        var bindings = PostgresBindings()
        var sql = ""
        var next = statement.arguments.makeIterator()
        for character in statement.sql {
            guard character == "?", let argument = next.next() else { sql.append(character); continue }
            switch argument {
            case let .text(text): bindings.append(text)
            case let .integer(integer): bindings.append(integer)
            case let .integers(integers): bindings.append(integers)
            }
            sql += "$\(bindings.count)"
        }
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }
}
