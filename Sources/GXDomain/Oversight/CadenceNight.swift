/// The part of one night's totals that cadence needs, as the store reads it for a compliance report: a
/// resource's pass (its own row) or an agreement's receipts. Narrow on purpose: a year of 550 pairs is
/// 200 000 of them, read and judged in well under a second.
public struct CadenceNight: Sendable, Hashable {
    /// The night as days since 1970-01-01 (`CalendarDate.dayNumber`).
    public var day: Int
    /// The resource code on a resource's own row, else the agreement ID.
    public var subject: String
    public var isResourceRow: Bool
    public var batches: Int64
    public var receiptsMatched: Int64
    public var passCompletedAt: String?
    public var passAppliedAt: String?

    public init(day: Int, subject: String, isResourceRow: Bool, batches: Int64, receiptsMatched: Int64,
                passCompletedAt: String?, passAppliedAt: String?) {
        self.day = day
        self.subject = subject
        self.isResourceRow = isResourceRow
        self.batches = batches
        self.receiptsMatched = receiptsMatched
        self.passCompletedAt = passCompletedAt
        self.passAppliedAt = passAppliedAt
    }

    public init(_ total: ExchangeNightTotal) {
        self.init(day: total.night.dayNumber, subject: total.isResourceRow ? total.resourceCode : total.agreementID,
                  isResourceRow: total.isResourceRow, batches: total.batches, receiptsMatched: total.receiptsMatched,
                  passCompletedAt: total.passCompletedAt, passAppliedAt: total.passAppliedAt)
    }
}
