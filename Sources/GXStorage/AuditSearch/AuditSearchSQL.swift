/// The statements behind `AuditSearchIndexes`, one text for both stores. SQLite keeps no statistics of the values,
/// so it is told which index to walk (`INDEXED BY`, `NOT INDEXED`, `CROSS JOIN`); PostgreSQL chooses from its own.
/// Placeholders are `?` (PostgreSQL's `$n` are numbered from them); values are always bound, never spliced.
struct AuditSearchSQL {
    enum Dialect { case sqlite, postgres }

    enum Argument: Sendable {
        case text(String)
        case integer(Int64)
        case integers([Int64])
    }

    struct Statement {
        var sql: String
        var arguments: [Argument]
        /// Conditions gathered while a statement is built, joined into its WHERE clause by `ordered`.
        var conditions: [String] = []
    }

    let dialect: Dialect

    private func hint(_ index: String) -> String { dialect == .sqlite ? " INDEXED BY \(index)" : "" }

    func firstSeq(reaching time: String) -> Statement {
        Statement(sql: """
            SELECT seq FROM audit_entries\(hint("audit_entries_time_order")) WHERE time_order >= ? ORDER BY time_order, seq LIMIT 1
            """, arguments: [.text(time)])
    }

    /// The last entry in order at or before `time`; with `lastDisorderedSeq`, `lastSeq(atOrBefore:)`.
    func lastOrderedSeq(atOrBefore time: String) -> Statement {
        Statement(sql: """
            SELECT seq FROM audit_entries\(hint("audit_entries_time_order")) WHERE time_order <= ?
            ORDER BY time_order DESC, seq DESC LIMIT 1
            """, arguments: [.text(time)])
    }

    /// The last entry dated before an earlier one and at or before `time` (few or none: the partial index holds only those).
    func lastDisorderedSeq(atOrBefore time: String) -> Statement {
        Statement(sql: "SELECT max(seq) FROM audit_entries\(hint("audit_entries_disordered")) WHERE time < time_order AND time <= ?",
                  arguments: [.text(time)])
    }

    func count(_ filter: AuditFilter, in range: ClosedRange<Int64>, cap: Int) -> Statement {
        let (table, column) = source(filter)
        return Statement(sql: """
            SELECT count(*) FROM (SELECT 1 FROM \(table) WHERE \(column) = ? AND seq >= ? AND seq <= ? LIMIT ?) AS counted
            """, arguments: [.text(filter.value), .integer(range.lowerBound), .integer(range.upperBound), .integer(Int64(cap))])
    }

    func seqs(_ filter: AuditFilter, in range: ClosedRange<Int64>, limit: Int) -> Statement {
        let (table, column) = source(filter)
        return Statement(sql: "SELECT seq FROM \(table) WHERE \(column) = ? AND seq >= ? AND seq <= ? ORDER BY seq LIMIT ?",
                         arguments: [.text(filter.value), .integer(range.lowerBound), .integer(range.upperBound), .integer(Int64(limit))])
    }

    /// Entries of `range` through the leader's index (the chain's own order when nil), within the time bounds.
    func entries(led leader: AuditFilter?, in range: ClosedRange<Int64>, from: String?, until: String?, limit: Int) -> Statement {
        var statement = leading(leader, range)
        timeBounds(&statement, from: from, until: until)
        return ordered(statement, leader, limit: limit)
    }

    /// Of a stretch of the leader's entries, those passing the checks. SQLite walks the leader's index over the
    /// stretch's range (the same entries); PostgreSQL, which may otherwise join from the wrong end, reads the listed
    /// entries by sequence number.
    func entries(among seqs: [Int64], led leader: AuditFilter, checks: [AuditFilter], from: String?, until: String?, limit: Int) -> Statement {
        var statement: Statement
        switch dialect {
        case .sqlite:
            statement = leading(leader, (seqs.first ?? 0)...(seqs.last ?? 0))
        case .postgres:
            statement = Statement(sql: "SELECT e.* FROM audit_entries e", arguments: [.integers(seqs)], conditions: ["e.seq = ANY(?)"])
        }
        for check in checks {
            switch check {
            case let .agency(agency):
                statement.conditions.append("EXISTS (SELECT 1 FROM audit_entry_agencies x WHERE x.agency = ? AND x.seq = e.seq)")
                statement.arguments.append(.text(agency))
            case let .entryColumn(column, value):
                statement.conditions.append("e.\(column.rawValue) = ?")
                statement.arguments.append(.text(value))
            }
        }
        timeBounds(&statement, from: from, until: until)
        return ordered(statement, dialect == .sqlite ? leader : nil, limit: limit)
    }

    /// The leader's index over a range: the agency index joined to its entries, or an entry column's index.
    private func leading(_ leader: AuditFilter?, _ range: ClosedRange<Int64>) -> Statement {
        let bounds: [Argument] = [.integer(range.lowerBound), .integer(range.upperBound)]
        switch leader {
        case nil:
            return Statement(sql: "SELECT e.* FROM audit_entries e\(dialect == .sqlite ? " NOT INDEXED" : "")", arguments: bounds,
                             conditions: ["e.seq >= ?", "e.seq <= ?"])
        case let .agency(agency)?:
            // The range on both sides: PostgreSQL does not carry it across the join by itself.
            return Statement(sql: "SELECT e.* FROM audit_entry_agencies a \(dialect == .sqlite ? "CROSS JOIN" : "JOIN") audit_entries e ON e.seq = a.seq",
                             arguments: [.text(agency)] + bounds + bounds,
                             conditions: ["a.agency = ?", "a.seq >= ?", "a.seq <= ?", "e.seq >= ?", "e.seq <= ?"])
        case let .entryColumn(column, value)?:
            return Statement(sql: "SELECT e.* FROM audit_entries e\(hint(column.index))", arguments: [.text(value)] + bounds,
                             conditions: ["e.\(column.rawValue) = ?", "e.seq >= ?", "e.seq <= ?"])
        }
    }

    private func timeBounds(_ statement: inout Statement, from: String?, until: String?) {
        if let from { statement.conditions.append("e.time >= ?"); statement.arguments.append(.text(from)) }
        if let until { statement.conditions.append("e.time <= ?"); statement.arguments.append(.text(until)) }
    }

    /// The statement's conditions as its WHERE clause, in the leader's order, with its limit.
    private func ordered(_ statement: Statement, _ leader: AuditFilter?, limit: Int) -> Statement {
        var statement = statement
        statement.sql += " WHERE " + statement.conditions.joined(separator: " AND ") + " ORDER BY \(leader?.isAgency == true ? "a.seq" : "e.seq") LIMIT ?"
        statement.conditions = []
        statement.arguments.append(.integer(Int64(limit)))
        return statement
    }

    /// The index a filter is walked or counted on: its table (with SQLite's hint) and the filtered column.
    private func source(_ filter: AuditFilter) -> (table: String, column: String) {
        switch filter {
        case .agency: ("audit_entry_agencies", "agency")
        case let .entryColumn(column, _): ("audit_entries\(hint(column.index))", column.rawValue)
        }
    }
}
