/// The yearly (or monthly) figures an annual 政府信息公开 report is built from: per month, per agency and per
/// resource, what was agreed, shared, applied and held back, and how demands were answered.
public struct StatisticsReport: Codable, Sendable {
    public var year: Int
    public var month: Int?
    public var asOf: String
    public var total: StatisticsLine
    /// One line per month of the report (key `2026-11`).
    public var byMonth: [StatisticsLine]
    /// One line per agency (key its code): figures of the agreements, resources and demands it is party to.
    public var byAgency: [StatisticsLine]
    /// One line per resource (key its code).
    public var byResource: [StatisticsLine]

    public init(year: Int, month: Int?, asOf: String, total: StatisticsLine, byMonth: [StatisticsLine], byAgency: [StatisticsLine],
                byResource: [StatisticsLine]) {
        self.year = year
        self.month = month
        self.asOf = asOf
        self.total = total
        self.byMonth = byMonth
        self.byAgency = byAgency
        self.byResource = byResource
    }

    enum CodingKeys: String, CodingKey { case year, month, asOf = "as_of", total, byMonth = "by_month", byAgency = "by_agency", byResource = "by_resource" }
}

/// The figures for one month, agency or resource.
public struct StatisticsLine: Codable, Sendable, Hashable {
    public var key: String
    public var agreementsFiled: Int = 0
    public var agreementsSuspended: Int = 0
    public var agreementsRevoked: Int = 0
    /// Agreements active at some time in the period.
    public var pairsActive: Int = 0
    public var batches: Int64 = 0
    public var recordsProvided: Int64 = 0
    public var recordsDelivered: Int64 = 0
    public var recordsApplied: Int64 = 0
    /// Rows held back as each batch reported them (a row still invalid at the next pass is counted again).
    public var quarantined: Int64 = 0
    /// The same by `item/rule`.
    public var quarantinedByRule: [String: Int64] = [:]
    /// Demands submitted in the period, as their provider received them.
    public var demandsReceived: Int = 0
    /// Demands decided in the period within their time limit (2 working days for the authority, 10 for the provider).
    public var demandsAnsweredOnTime: Int = 0
    public var demandsAnswered: Int = 0
    public var demandsRefused: Int = 0
    /// Median calendar days from submission to decision of the demands decided in the period.
    public var medianDaysToAnswer: Double?
    /// Objections (数据异议) raised in the period against records of the resource.
    public var objectionsRaised: Int = 0
    /// Of those, the ones the provider answered (confirmed or rejected) within its deadline in working days.
    public var objectionsResolvedOnTime: Int = 0

    public init(key: String) { self.key = key }

    enum CodingKeys: String, CodingKey {
        case key, agreementsFiled = "agreements_filed", agreementsSuspended = "agreements_suspended", agreementsRevoked = "agreements_revoked"
        case pairsActive = "pairs_active", batches, recordsProvided = "records_provided", recordsDelivered = "records_delivered"
        case recordsApplied = "records_applied", quarantined, quarantinedByRule = "quarantined_by_rule", demandsReceived = "demands_received"
        case demandsAnsweredOnTime = "demands_answered_on_time", demandsAnswered = "demands_answered", demandsRefused = "demands_refused"
        case medianDaysToAnswer = "median_days_to_answer", objectionsRaised = "objections_raised"
        case objectionsResolvedOnTime = "objections_resolved_on_time"
    }
}
