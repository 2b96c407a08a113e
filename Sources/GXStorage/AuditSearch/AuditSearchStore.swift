import GXDomain

/// A store that runs `AuditSearchSQL`'s statements in its own dialect; the search's primitives are then the same
/// for every store, and a store supplies only how a statement is run.
protocol AuditSearchStore: AuditSearchIndexes {
    static var searchDialect: AuditSearchSQL.Dialect { get }
    /// The first column of every row the statement returns, NULL as nil.
    func searchIntegers(_ statement: AuditSearchSQL.Statement) async throws -> [Int64?]
    /// The entries the statement returns (`SELECT e.*`), in order.
    func searchEntries(_ statement: AuditSearchSQL.Statement) async throws -> [AuditEntry]
}

extension AuditSearchStore {
    private var sql: AuditSearchSQL { AuditSearchSQL(dialect: Self.searchDialect) }

    private func integer(_ statement: AuditSearchSQL.Statement) async throws -> Int64? {
        try await searchIntegers(statement).first ?? nil
    }

    func firstSeq(reaching time: String) async throws -> Int64? {
        try await integer(sql.firstSeq(reaching: time))
    }

    func lastSeq(atOrBefore time: String) async throws -> Int64 {
        let ordered = try await integer(sql.lastOrderedSeq(atOrBefore: time)) ?? 0
        let disordered = try await integer(sql.lastDisorderedSeq(atOrBefore: time)) ?? 0
        return max(ordered, disordered)
    }

    func count(_ filter: AuditFilter, in range: ClosedRange<Int64>, cap: Int) async throws -> Int {
        Int(try await integer(sql.count(filter, in: range, cap: cap)) ?? 0)
    }

    func seqs(_ filter: AuditFilter, in range: ClosedRange<Int64>, limit: Int) async throws -> [Int64] {
        try await searchIntegers(sql.seqs(filter, in: range, limit: limit)).compactMap { $0 }
    }

    func entries(led leader: AuditFilter?, in range: ClosedRange<Int64>, from: String?, until: String?, limit: Int) async throws -> [AuditEntry] {
        try await searchEntries(sql.entries(led: leader, in: range, from: from, until: until, limit: limit))
    }

    func entries(among seqs: [Int64], led leader: AuditFilter, checks: [AuditFilter],
                 from: String?, until: String?, limit: Int) async throws -> [AuditEntry] {
        try await searchEntries(sql.entries(among: seqs, led: leader, checks: checks, from: from, until: until, limit: limit))
    }
}
