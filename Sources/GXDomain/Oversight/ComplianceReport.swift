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

    /// The report from the cadence nights covering `window(of:from:through:)`. Rows whose every period was not
    /// due are left out.
    ///
    /// Each subject walks its own nights (in night order) once alongside its periods; the periods of each
    /// cycle, their bounds as instants and their end as stored text are worked out once for all subjects, so
    /// a year of 550 pairs does no calendar or timestamp parsing per night.
    public static func build(subjects: [Subject], nights: [CadenceNight], from: CalendarDate, through: CalendarDate,
                             now: Date) -> ComplianceReport {
        var resourceNights: [String: [CadenceNight]] = [:]
        var agreementNights: [String: [CadenceNight]] = [:]
        for night in nights {
            if night.isResourceRow { resourceNights[night.subject, default: []].append(night) }
            else { agreementNights[night.subject, default: []].append(night) }
        }
        let inOrder: ([CadenceNight]) -> [CadenceNight] = { list in
            zip(list, list.dropFirst()).allSatisfy { $0.day <= $1.day } ? list : list.sorted { $0.day < $1.day }
        }
        var calendars: [UpdateCycle: [PeriodBounds]] = [:]
        let nowSeconds = now.timeIntervalSince1970
        var rows: [ComplianceRow] = []
        for subject in subjects {
            let bounds = calendars[subject.frequency] ?? {
                let list = CadencePeriod.periods(of: subject.frequency, from: from, through: through).map(PeriodBounds.init)
                calendars[subject.frequency] = list
                return list
            }()
            let provided = inOrder(resourceNights[subject.resourceCode] ?? [])
            let received = inOrder(subject.agreementID.flatMap { agreementNights[$0] } ?? [])
            let spans = subject.spans.map { ($0.from.timeIntervalSince1970, $0.until?.timeIntervalSince1970 ?? .infinity) }
            var p = 0, r = 0
            var periods: [CompliancePeriod] = []
            periods.reserveCapacity(bounds.count)
            var anyDue = false
            for b in bounds {
                while p < provided.count, provided[p].day < b.firstDay { p += 1 }
                while r < received.count, received[r].day < b.firstDay { r += 1 }
                var passAt: String?, appliedAt: String?, batches: Int64 = 0, receipts: Int64 = 0
                while p < provided.count, provided[p].day <= b.lastDay {
                    let night = provided[p]
                    batches += night.batches
                    if let at = night.passCompletedAt, passAt.map({ at < $0 }) ?? true { passAt = at }
                    p += 1
                }
                while r < received.count, received[r].day <= b.lastDay {
                    let night = received[r]
                    receipts += night.receiptsMatched
                    if let at = night.passAppliedAt, appliedAt.map({ at < $0 }) ?? true { appliedAt = at }
                    r += 1
                }
                var result = CompliancePeriod(first: b.period.first, last: b.period.last, status: .notDue, passCompletedAt: passAt,
                                              appliedAt: appliedAt, batches: batches, receiptsMatched: receipts)
                if spans.contains(where: { $0.0 < b.end && $0.1 > b.start }) {
                    anyDue = true
                    let ended = nowSeconds >= b.end
                    if passAt == nil {
                        result.status = ended ? .missed : .pending
                    } else if subject.agreementID == nil {
                        result.status = .onTime
                    } else if let appliedAt, let before = b.isBeforeEnd(appliedAt) {
                        result.status = before ? .onTime : .late
                    } else {
                        result.status = ended ? .notApplied : .pending
                    }
                }
                periods.append(result)
            }
            guard anyDue else { continue }
            rows.append(ComplianceRow(agreementID: subject.agreementID, resourceCode: subject.resourceCode, provider: subject.provider,
                                      consumer: subject.consumer, frequency: subject.frequency, periods: periods))
        }
        return ComplianceReport(from: from, through: through, asOf: Timestamp.string(from: now), rows: rows)
    }

    /// A period with its nights as day numbers and its bounds as seconds since 1970, worked out once per cycle.
    struct PeriodBounds {
        let period: CadencePeriod
        let firstDay: Int
        let lastDay: Int
        let start: Double
        let end: Double
        /// `end` as the hub stores instants, which compares as text exactly as the instants do.
        let endText: String

        init(_ period: CadencePeriod) {
            self.period = period
            firstDay = period.first.dayNumber
            lastDay = period.last.dayNumber
            start = period.start.timeIntervalSince1970
            end = period.end.timeIntervalSince1970
            endText = Timestamp.string(from: period.end)
        }

        /// Whether a stored instant is before the end; nil when it is not an instant. The hub writes
        /// `YYYY-MM-DDTHH:MM:SS.mmmZ`, compared as text; any other form is parsed.
        func isBeforeEnd(_ text: String) -> Bool? {
            if text.utf8.count == 24, text.utf8.last == UInt8(ascii: "Z") { return text < endText }
            return Timestamp.instant(from: text).map { $0.timeIntervalSince1970 < end }
        }
    }
}
