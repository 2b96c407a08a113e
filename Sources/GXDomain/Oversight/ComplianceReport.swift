import Foundation

/// Which sharing pairs kept their agreed cadence (issue 17): for every agreement and every period of its
/// frequency, whether the provider's pass completed and its consumer applied it, on time or late, or
/// nothing (空白); and for every resource, whether its provider kept the catalogue's update cycle.
public struct ComplianceReport: Codable, Sendable {
    public var from: CalendarDate
    public var through: CalendarDate
    public var asOf: String
    public var rows: [ComplianceRow]

    public init(from: CalendarDate, through: CalendarDate, asOf: String, rows: [ComplianceRow]) {
        self.from = from
        self.through = through
        self.asOf = asOf
        self.rows = rows
    }

    enum CodingKeys: String, CodingKey { case from, through = "to", asOf = "as_of", rows }
}

/// One agreement's periods, or (without an agreement) a resource's periods by its catalogue update cycle,
/// which count against its provider alone.
public struct ComplianceRow: Codable, Sendable {
    public var agreementID: String?
    public var resourceCode: String
    public var provider: String
    public var consumer: String?
    public var frequency: UpdateCycle
    public var periods: [CompliancePeriod]

    public init(agreementID: String?, resourceCode: String, provider: String, consumer: String?, frequency: UpdateCycle, periods: [CompliancePeriod]) {
        self.agreementID = agreementID
        self.resourceCode = resourceCode
        self.provider = provider
        self.consumer = consumer
        self.frequency = frequency
        self.periods = periods
    }

    public func count(_ status: CadenceStatus) -> Int { periods.filter { $0.status == status }.count }
    public var blanks: Int { periods.filter(\.status.isBlank).count }

    /// The last period that has ended was a 空白: what the overdue metric reports.
    public var isOverdue: Bool {
        periods.last { $0.status != .pending && $0.status != .notDue }?.status.isBlank ?? false
    }

    enum CodingKeys: String, CodingKey {
        case agreementID = "agreement", resourceCode = "resource", provider, consumer, frequency, periods
    }
}

public struct CompliancePeriod: Codable, Sendable, Hashable {
    public var first: CalendarDate
    public var last: CalendarDate
    public var status: CadenceStatus
    /// When the first pass of the period completed (the hub accepted its last batch).
    public var passCompletedAt: String?
    /// When the hub received the consumer's first receipt for a pass-ending batch of the period.
    public var appliedAt: String?
    public var batches: Int64
    public var receiptsMatched: Int64

    public init(first: CalendarDate, last: CalendarDate, status: CadenceStatus, passCompletedAt: String? = nil, appliedAt: String? = nil,
                batches: Int64 = 0, receiptsMatched: Int64 = 0) {
        self.first = first
        self.last = last
        self.status = status
        self.passCompletedAt = passCompletedAt
        self.appliedAt = appliedAt
        self.batches = batches
        self.receiptsMatched = receiptsMatched
    }

    enum CodingKeys: String, CodingKey {
        case first, last, status, passCompletedAt = "pass_completed_at", appliedAt = "applied_at", batches, receiptsMatched = "receipts_matched"
    }
}

/// A stretch of time in which an agreement was active: from its activation (or resumption) to its
/// suspension, revocation, expiry or replacement, if any.
public struct ActiveSpan: Sendable, Hashable {
    public var from: Date
    public var until: Date?

    public init(from: Date, until: Date?) {
        self.from = from
        self.until = until
    }
}

extension ComplianceReport {
    /// What one agreement or resource is measured against.
    public struct Subject: Sendable {
        public var agreementID: String?
        public var resourceCode: String
        public var provider: String
        public var consumer: String?
        public var frequency: UpdateCycle
        /// When it was due at all: the agreement's active spans within its validity, or the catalogue
        /// entry from its publication.
        public var spans: [ActiveSpan]

        public init(agreementID: String?, resourceCode: String, provider: String, consumer: String?, frequency: UpdateCycle, spans: [ActiveSpan]) {
            self.agreementID = agreementID
            self.resourceCode = resourceCode
            self.provider = provider
            self.consumer = consumer
            self.frequency = frequency
            self.spans = spans
        }

        func isDue(in period: CadencePeriod) -> Bool {
            spans.contains { $0.from < period.end && ($0.until.map { $0 > period.start } ?? true) }
        }
    }

    /// The nights whose totals `build` needs: every period overlapping `from`…`through`, whole.
    public static func window(of subjects: [Subject], from: CalendarDate, through: CalendarDate) -> (first: CalendarDate, last: CalendarDate) {
        var first = from, last = through
        for cycle in Set(subjects.map(\.frequency)) {
            let periods = CadencePeriod.periods(of: cycle, from: from, through: through)
            if let p = periods.first, p.first < first { first = p.first }
            if let p = periods.last, p.last > last { last = p.last }
        }
        return (first, last)
    }

    /// The report from night totals covering `window(of:from:through:)`. Rows whose every period was not due
    /// are left out.
    public static func build(subjects: [Subject], totals: [ExchangeNightTotal], from: CalendarDate, through: CalendarDate,
                             now: Date) -> ComplianceReport {
        // Indexed by resource or agreement, then by night, so each period looks up only its own nights.
        var resourceNights: [String: [Int: ExchangeNightTotal]] = [:]
        var agreementNights: [String: [Int: ExchangeNightTotal]] = [:]
        for total in totals {
            if total.isResourceRow { resourceNights[total.resourceCode, default: [:]][total.night.dayNumber] = total }
            else { agreementNights[total.agreementID, default: [:]][total.night.dayNumber] = total }
        }
        var rows: [ComplianceRow] = []
        for subject in subjects {
            let provided = resourceNights[subject.resourceCode] ?? [:]
            let received = subject.agreementID.flatMap { agreementNights[$0] } ?? [:]
            let periods = CadencePeriod.periods(of: subject.frequency, from: from, through: through).map { period in
                let nights = period.first.dayNumber...period.last.dayNumber
                return evaluate(period, subject: subject, provided: nights.compactMap { provided[$0] }, received: nights.compactMap { received[$0] }, now: now)
            }
            guard periods.contains(where: { $0.status != .notDue }) else { continue }
            rows.append(ComplianceRow(agreementID: subject.agreementID, resourceCode: subject.resourceCode, provider: subject.provider,
                                      consumer: subject.consumer, frequency: subject.frequency, periods: periods))
        }
        return ComplianceReport(from: from, through: through, asOf: Timestamp.string(from: now), rows: rows)
    }

    static func evaluate(_ period: CadencePeriod, subject: Subject, provided: [ExchangeNightTotal], received: [ExchangeNightTotal],
                         now: Date) -> CompliancePeriod {
        let passAt = provided.compactMap(\.passCompletedAt).min()
        let appliedAt = received.compactMap(\.passAppliedAt).min()
        var result = CompliancePeriod(first: period.first, last: period.last, status: .notDue, passCompletedAt: passAt, appliedAt: appliedAt,
                                      batches: provided.reduce(0) { $0 + $1.batches }, receiptsMatched: received.reduce(0) { $0 + $1.receiptsMatched })
        guard subject.isDue(in: period) else { return result }
        let ended = now >= period.end
        if passAt == nil {
            result.status = ended ? .missed : .pending
        } else if subject.agreementID == nil {
            result.status = .onTime
        } else if let appliedAt, let applied = Timestamp.instant(from: appliedAt) {
            result.status = applied < period.end ? .onTime : .late
        } else {
            result.status = ended ? .notApplied : .pending
        }
        return result
    }
}
