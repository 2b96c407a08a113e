import GRDB
import GXDomain

extension SQLiteHubStore: AuditSearchIndexes {
    private static let searchSQL = AuditSearchSQL(dialect: .sqlite)

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
        let statement = Self.searchSQL.seqs(filter, in: range, limit: limit)
        let arguments = Self.arguments(statement)
        return try await pool.read { db in try Int64.fetchAll(db, sql: statement.sql, arguments: arguments) }
    }

    func entries(led leader: AuditFilter?, in range: ClosedRange<Int64>, from: String?, until: String?, limit: Int) async throws -> [AuditEntry] {
        try await fetchEntries(Self.searchSQL.entries(led: leader, in: range, from: from, until: until, limit: limit))
    }

    func entries(among seqs: [Int64], led leader: AuditFilter, checks: [AuditFilter],
                 from: String?, until: String?, limit: Int) async throws -> [AuditEntry] {
        try await fetchEntries(Self.searchSQL.entries(among: seqs, led: leader, checks: checks, from: from, until: until, limit: limit))
    }

    private func fetchEntries(_ statement: AuditSearchSQL.Statement) async throws -> [AuditEntry] {
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
            case let .integers(integers): "[" + integers.map(String.init).joined(separator: ",") + "]"  // not produced for SQLite (see `entries(among:)`)
            }
        })
    }
}
