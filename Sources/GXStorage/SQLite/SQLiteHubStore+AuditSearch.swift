import GRDB
import GXDomain

extension SQLiteHubStore: AuditSearchIndexes {
    private static let searchSQL = AuditSearchSQL(dialect: .sqlite)

    public func auditEntries(matching query: AuditQuery) async throws -> [AuditEntry] {
        try await AuditSearch(query: query).run(on: self)
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

    func seq(_ filter: AuditFilter, from start: Int64, nth: Int) async throws -> Int64? {
        try await fetchSeq(Self.searchSQL.seq(filter, from: start, nth: nth))
    }

    func entries(led leader: AuditFilter?, in range: ClosedRange<Int64>, checks: [AuditFilter],
                 from: String?, until: String?, limit: Int) async throws -> [AuditEntry] {
        let statement = Self.searchSQL.entries(led: leader, in: range, checks: checks, from: from, until: until, limit: limit)
        let arguments = Self.arguments(statement)
        return try await pool.read { db in
            try Row.fetchAll(db, sql: statement.sql, arguments: arguments).map(Self.auditEntry(from:))
        }
    }

    private func fetchSeq(_ statement: AuditSearchSQL.Statement) async throws -> Int64? {
        let arguments = Self.arguments(statement)
        return try await pool.read { db in try Int64.fetchOne(db, sql: statement.sql, arguments: arguments) }
    }

    private static func arguments(_ statement: AuditSearchSQL.Statement) -> StatementArguments {
        StatementArguments(statement.arguments.map { argument -> any DatabaseValueConvertible in
            switch argument {
            case let .text(text): text
            case let .integer(integer): integer
            }
        })
    }
}
