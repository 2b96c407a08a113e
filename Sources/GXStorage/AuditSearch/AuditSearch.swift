import GXDomain

/// What a store answers so that `AuditSearch` can page any filter at any length of the log.
protocol AuditSearchIndexes: Sendable {
    /// The first entry whose time, or an earlier entry's, is at or after `time` (the running maximum `time_order`):
    /// no entry before it is at or after `time`. Nil when no entry reaches it.
    func firstSeq(reaching time: String) async throws -> Int64?
    /// The last entry that is at or before `time`: the last in order (`time_order` at or before it) or, if later,
    /// the last of those dated before an earlier entry (a clock set back) that is. 0 when none is.
    func lastSeq(atOrBefore time: String) async throws -> Int64
    /// How many entries the filter's index holds in `range`, counting no further than `cap`.
    func count(_ filter: AuditFilter, in range: ClosedRange<Int64>, cap: Int) async throws -> Int
    /// The sequence number of the filter's `nth` entry (1-based) at or after `start`; nil when it has fewer.
    func seq(_ filter: AuditFilter, from start: Int64, nth: Int) async throws -> Int64?
    /// At most `limit` entries in `range`, in order, read through the leading filter's index (or the chain itself when
    /// nil), that also pass `checks` and the time bounds.
    func entries(led leader: AuditFilter?, in range: ClosedRange<Int64>, checks: [AuditFilter],
                 from: String?, until: String?, limit: Int) async throws -> [AuditEntry]
}

/// How an auditor's search answers in about the same time on a log of ten thousand or ten million entries.
///
/// The time bounds become a range of sequence numbers, found by two index seeks on the entries' running maximum
/// time; times stay as the hub recorded them (they are in the chain), and entries dated before an earlier one are
/// found through their own small index. Of the equality filters, the one with the fewest entries in that range
/// leads (counted, up to a cap, on its index): its index is walked in order, a bounded stretch at a time, and the
/// other filters are checked only on the entries it yields. A rare action combined with a busy agency reads the
/// rare action's few entries, not the agency's million.
struct AuditSearch {
    let query: AuditQuery
    /// Counting stops here: past it, any filter is busy enough that the first stretch of its index finds a page.
    var countCap = 20_000
    /// The first stretch of the leading index read per step, growing fourfold up to `maximumStretch`.
    var firstStretch = 512
    var maximumStretch = 32_768

    var filters: [AuditFilter] {
        var filters: [AuditFilter] = []
        if let agency = query.agency { filters.append(.agency(agency)) }
        for (column, value) in [(AuditFilterColumn.agreement, query.agreement), (.resource, query.resource), (.action, query.action),
                                (.actor, query.actor)] {
            if let value { filters.append(.entryColumn(column, value)) }
        }
        return filters
    }

    func run(on indexes: some AuditSearchIndexes) async throws -> [AuditEntry] {
        guard query.afterSeq < Int64.max else { return [] }
        var low = query.afterSeq + 1
        var high = Int64.max
        let from = query.fromTimestamp, until = query.untilTimestamp
        if let from {
            guard let first = try await indexes.firstSeq(reaching: from) else { return [] }
            low = max(low, first)
        }
        if let until { high = try await indexes.lastSeq(atOrBefore: until) }
        guard low <= high else { return [] }

        let filters = self.filters
        guard var leader = filters.first else {
            return try await indexes.entries(led: nil, in: low...high, checks: [], from: from, until: until, limit: query.limit)
        }
        if filters.count > 1 {
            var fewest = Int.max
            for filter in filters {
                let count = try await indexes.count(filter, in: low...high, cap: countCap)
                if count == 0 { return [] }
                if count < fewest { (fewest, leader) = (count, filter) }
            }
        }
        let checks = filters.filter { $0 != leader }
        if checks.isEmpty {
            return try await indexes.entries(led: leader, in: low...high, checks: [], from: from, until: until, limit: query.limit)
        }
        // Stretch by stretch, so the check of the other filters never spans more of the leading index than it needs.
        var found: [AuditEntry] = []
        var start = low
        var stretch = firstStretch
        while start <= high, found.count < query.limit {
            let end = min(high, try await indexes.seq(leader, from: start, nth: stretch) ?? high)
            found += try await indexes.entries(led: leader, in: start...end, checks: checks, from: from, until: until,
                                               limit: query.limit - found.count)
            guard end < high else { break }
            start = end + 1
            stretch = min(stretch * 4, maximumStretch)
        }
        return found
    }
}
