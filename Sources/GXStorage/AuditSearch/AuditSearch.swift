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
    /// The first `limit` sequence numbers of the filter's index in `range`, in order.
    func seqs(_ filter: AuditFilter, in range: ClosedRange<Int64>, limit: Int) async throws -> [Int64]
    /// At most `limit` entries in `range`, in order, read through the leading filter's index (or the chain itself when
    /// nil), within the time bounds.
    func entries(led leader: AuditFilter?, in range: ClosedRange<Int64>, from: String?, until: String?, limit: Int) async throws -> [AuditEntry]
    /// Of `seqs` (a stretch of the leader's index, in order), the entries that also pass `checks` and the time bounds.
    func entries(among seqs: [Int64], led leader: AuditFilter, checks: [AuditFilter],
                 from: String?, until: String?, limit: Int) async throws -> [AuditEntry]
}

/// How an auditor's search answers in about the same time on a log of ten thousand or ten million entries.
///
/// The time bounds become a range of sequence numbers, found by two index seeks on the entries' running maximum
/// time; times stay as the hub recorded them (they are in the chain), and entries dated before an earlier one are
/// found through their own small index. Of the equality filters, the one with the fewest entries in that range
/// leads (counted on its index, up to a cap that grows only while every filter reaches it): its index is read in
/// order, a stretch at a time, and the other filters are checked only on the entries it yields. A rare action
/// combined with a busy agency reads the rare action's few entries, not the agency's million.
///
/// Two busy filters that seldom meet (an agency and a resource it never touches) would still read the whole of the
/// smaller one; a page for people (`scanLimit`) therefore stops after so many of the leader's entries and says how
/// far it searched, so that the next page continues from there.
struct AuditSearch {
    let query: AuditQuery
    /// At most this many of the leader's entries are read before the page is returned as far as it got; nil reads on.
    var scanLimit: Int?
    /// Counting starts at the first cap and grows eightfold while every filter reaches it, up to the last.
    var countCaps = [256, 2048, 16_384]
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

    func run(on indexes: some AuditSearchIndexes) async throws -> AuditSearchPage {
        guard query.afterSeq < Int64.max else { return AuditSearchPage(entries: []) }
        var low = query.afterSeq + 1
        var high = Int64.max
        let from = query.fromTimestamp, until = query.untilTimestamp
        if let from {
            guard let first = try await indexes.firstSeq(reaching: from) else { return AuditSearchPage(entries: []) }
            low = max(low, first)
        }
        if let until { high = try await indexes.lastSeq(atOrBefore: until) }
        guard low <= high else { return AuditSearchPage(entries: []) }

        let filters = self.filters
        guard var leader = filters.first else {
            return AuditSearchPage(entries: try await indexes.entries(led: nil, in: low...high, from: from, until: until, limit: query.limit))
        }
        if filters.count > 1 {
            var counts: [Int] = []
            for cap in countCaps {
                counts = []
                for filter in filters {
                    let count = try await indexes.count(filter, in: low...high, cap: cap)
                    if count == 0 { return AuditSearchPage(entries: []) }
                    counts.append(count)
                }
                if counts.contains(where: { $0 < cap }) { break }
            }
            // The fewest; on a tie an entry column, whose index holds the entry's own row, before the agency index.
            let ranked = zip(filters, counts).sorted { ($0.1, $0.0.isAgency ? 1 : 0) < ($1.1, $1.0.isAgency ? 1 : 0) }
            leader = ranked[0].0
        }
        let checks = filters.filter { $0 != leader }
        if checks.isEmpty {
            return AuditSearchPage(entries: try await indexes.entries(led: leader, in: low...high, from: from, until: until, limit: query.limit))
        }
        // Stretch by stretch, so the check of the other filters never spans more of the leading index than it needs.
        var found: [AuditEntry] = []
        var start = low
        var stretch = firstStretch
        var read = 0
        while found.count < query.limit {
            let seqs = try await indexes.seqs(leader, in: start...high, limit: stretch)
            guard let last = seqs.last else { break }
            found += try await indexes.entries(among: seqs, led: leader, checks: checks, from: from, until: until,
                                               limit: query.limit - found.count)
            read += seqs.count
            guard seqs.count == stretch, last < high else { break }
            if found.count < query.limit, let scanLimit, read >= scanLimit {
                return AuditSearchPage(entries: found, searchedThrough: last)
            }
            start = last + 1
            stretch = min(stretch * 4, maximumStretch)
        }
        return AuditSearchPage(entries: found)
    }
}
