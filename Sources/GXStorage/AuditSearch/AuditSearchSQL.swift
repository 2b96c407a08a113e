/// The statements behind `AuditSearchIndexes`, one text for both stores. SQLite keeps no statistics of the values,
/// so it is told which index to walk (`INDEXED BY`, `NOT INDEXED`, `CROSS JOIN`); PostgreSQL chooses from its own.
/// Placeholders are `?` (PostgreSQL's `$n` are numbered from them); values are always bound, never spliced.
struct AuditSearchSQL {
    enum Dialect { case sqlite, postgres }

    enum Argument: Sendable {
        case text(String)
        case integer(Int64)
    }

    struct Statement {
        var sql: String
        var arguments: [Argument]
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
        Statement(sql: "SELECT max(seq) FROM audit_entries WHERE time < time_order AND time <= ?", arguments: [.text(time)])
    }

    func count(_ filter: AuditFilter, in range: ClosedRange<Int64>, cap: Int) -> Statement {
        let (table, column) = source(filter)
        return Statement(sql: """
            SELECT count(*) FROM (SELECT 1 FROM \(table) WHERE \(column) = ? AND seq >= ? AND seq <= ? LIMIT ?) AS counted
            """, arguments: [.text(filter.value), .integer(range.lowerBound), .integer(range.upperBound), .integer(Int64(cap))])
    }

    func seq(_ filter: AuditFilter, from start: Int64, nth: Int) -> Statement {
        let (table, column) = source(filter)
        return Statement(sql: "SELECT seq FROM \(table) WHERE \(column) = ? AND seq >= ? ORDER BY seq LIMIT 1 OFFSET ?",
                         arguments: [.text(filter.value), .integer(start), .integer(Int64(max(nth, 1) - 1))])
    }

    func entries(led leader: AuditFilter?, in range: ClosedRange<Int64>, checks: [AuditFilter],
                 from: String?, until: String?, limit: Int) -> Statement {
        var sql: String
        var conditions: [String]
        var arguments: [Argument]
        let order: String
        switch leader {
        case nil:
            sql = "SELECT e.* FROM audit_entries e\(dialect == .sqlite ? " NOT INDEXED" : "")"
            conditions = ["e.seq >= ?", "e.seq <= ?"]
            arguments = [.integer(range.lowerBound), .integer(range.upperBound)]
            order = "e.seq"
        case let .agency(agency)?:
            sql = "SELECT e.* FROM audit_entry_agencies a \(dialect == .sqlite ? "CROSS JOIN" : "JOIN") audit_entries e ON e.seq = a.seq"
            conditions = ["a.agency = ?", "a.seq >= ?", "a.seq <= ?"]
            arguments = [.text(agency), .integer(range.lowerBound), .integer(range.upperBound)]
            order = "a.seq"
        case let .entryColumn(column, value)?:
            sql = "SELECT e.* FROM audit_entries e\(hint(column.index))"
            conditions = ["e.\(column.rawValue) = ?", "e.seq >= ?", "e.seq <= ?"]
            arguments = [.text(value), .integer(range.lowerBound), .integer(range.upperBound)]
            order = "e.seq"
        }
        for check in checks {
            switch check {
            case let .agency(agency):
                conditions.append("EXISTS (SELECT 1 FROM audit_entry_agencies x WHERE x.agency = ? AND x.seq = e.seq)")
                arguments.append(.text(agency))
            case let .entryColumn(column, value):
                conditions.append("e.\(column.rawValue) = ?")
                arguments.append(.text(value))
            }
        }
        if let from { conditions.append("e.time >= ?"); arguments.append(.text(from)) }
        if let until { conditions.append("e.time <= ?"); arguments.append(.text(until)) }
        sql += " WHERE " + conditions.joined(separator: " AND ") + " ORDER BY \(order) LIMIT ?"
        arguments.append(.integer(Int64(limit)))
        return Statement(sql: sql, arguments: arguments)
    }

    /// The index a filter is walked or counted on: its table (with SQLite's hint) and the filtered column.
    private func source(_ filter: AuditFilter) -> (table: String, column: String) {
        switch filter {
        case .agency: ("audit_entry_agencies", "agency")
        case let .entryColumn(column, _): ("audit_entries\(hint(column.index))", column.rawValue)
        }
    }
}
