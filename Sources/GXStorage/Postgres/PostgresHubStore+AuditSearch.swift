import GXDomain
import PostgresNIO

extension PostgresHubStore: AuditSearchIndexes {
    private static let searchSQL = AuditSearchSQL(dialect: .postgres)

    public func auditPage(matching query: AuditQuery, scanLimit: Int?) async throws -> AuditSearchPage {
        try await AuditSearch(query: query, scanLimit: scanLimit).run(on: self)
    }

    func firstSeq(reaching time: String) async throws -> Int64? {
        try await fetchSeq(Self.searchSQL.firstSeq(reaching: time))
    }

    func lastSeq(atOrBefore time: String) async throws -> Int64 {
        let ordered = try await fetchSeq(Self.searchSQL.lastOrderedSeq(atOrBefore: time)) ?? 0
        let disordered = try await fetchSeq(Self.searchSQL.lastDisorderedSeq(atOrBefore: time)) ?? 0
        return max(ordered, disordered)
    }

    func count(_ filter: AuditFilter, in range: ClosedRange<Int64>, cap: Int) async throws -> Int {
        Int(try await fetchSeq(Self.searchSQL.count(filter, in: range, cap: cap)) ?? 0)
    }

    func seqs(_ filter: AuditFilter, in range: ClosedRange<Int64>, limit: Int) async throws -> [Int64] {
        let query = Self.postgresQuery(Self.searchSQL.seqs(filter, in: range, limit: limit))
        return try await read { [self] connection in
            var seqs: [Int64] = []
            for try await seq in try await connection.query(query, logger: logger).decode(Int64.self) { seqs.append(seq) }
            return seqs
        }
    }

    func entries(led leader: AuditFilter?, in range: ClosedRange<Int64>, from: String?, until: String?, limit: Int) async throws -> [AuditEntry] {
        try await fetchEntries(Self.searchSQL.entries(led: leader, in: range, from: from, until: until, limit: limit))
    }

    func entries(among seqs: [Int64], led leader: AuditFilter, checks: [AuditFilter],
                 from: String?, until: String?, limit: Int) async throws -> [AuditEntry] {
        try await fetchEntries(Self.searchSQL.entries(among: seqs, led: leader, checks: checks, from: from, until: until, limit: limit))
    }

    private func fetchEntries(_ statement: AuditSearchSQL.Statement) async throws -> [AuditEntry] {
        let query = Self.postgresQuery(statement)
        return try await read { [self] connection in
            try await connection.query(query, logger: logger).collect().map(Self.auditEntry(from:))
        }
    }

    private func fetchSeq(_ statement: AuditSearchSQL.Statement) async throws -> Int64? {
        let query = Self.postgresQuery(statement)
        return try await read { [self] connection in
            for try await value in try await connection.query(query, logger: logger).decode(Int64?.self) { return value }
            return nil
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
