/// What the hub counted for one night of exchange, kept as it accepts batches, deliveries and receipts (in
/// the same transaction), so oversight reports read totals instead of scanning every batch.
///
/// A resource's own row (`agreementID` empty) holds what its provider pushed that night; an agreement's row
/// what was delivered to its consumer and what the consumer acknowledged, counted under the night the
/// batch was accepted (a batch applied the next afternoon still counts for its own night).
public struct ExchangeNightTotal: Codable, Sendable, Hashable {
    public var night: CalendarDate
    public var resourceCode: String
    /// Empty on the resource's own row.
    public var agreementID: String
    public var provider: String
    /// Empty on the resource's own row.
    public var consumer: String
    public var batches: Int64 = 0
    public var upsertsProvided: Int64 = 0
    public var deletesProvided: Int64 = 0
    /// Rows the provider held back, as each batch reported them.
    public var quarantined: Int64 = 0
    /// Batches that ended a pass, and when the first of them was accepted.
    public var passes: Int64 = 0
    public var passCompletedAt: String?
    public var deliveries: Int64 = 0
    public var upsertsDelivered: Int64 = 0
    public var deletesDelivered: Int64 = 0
    /// Receipts recorded for this night's batches; the hub records a receipt only when its records SM3 matches
    /// the delivery's, so each is a matched receipt.
    public var receiptsMatched: Int64 = 0
    public var upsertsApplied: Int64 = 0
    public var deletesApplied: Int64 = 0
    /// When the hub received the last receipt for this night's batches.
    public var appliedAt: String?
    /// When the hub first received the receipt for a batch that ended one of this night's passes: the pass applied.
    public var passAppliedAt: String?

    public init(night: CalendarDate, resourceCode: String, agreementID: String = "", provider: String, consumer: String = "") {
        self.night = night
        self.resourceCode = resourceCode
        self.agreementID = agreementID
        self.provider = provider
        self.consumer = consumer
    }

    public var isResourceRow: Bool { agreementID.isEmpty }
    public var recordsProvided: Int64 { upsertsProvided + deletesProvided }
    public var recordsDelivered: Int64 { upsertsDelivered + deletesDelivered }
    public var recordsApplied: Int64 { upsertsApplied + deletesApplied }

    enum CodingKeys: String, CodingKey {
        case night, resourceCode = "resource", agreementID = "agreement", provider, consumer, batches
        case upsertsProvided = "upserts_provided", deletesProvided = "deletes_provided", quarantined, passes
        case passCompletedAt = "pass_completed_at", deliveries, upsertsDelivered = "upserts_delivered"
        case deletesDelivered = "deletes_delivered", receiptsMatched = "receipts_matched", upsertsApplied = "upserts_applied"
        case deletesApplied = "deletes_applied", appliedAt = "applied_at", passAppliedAt = "pass_applied_at"
    }
}

/// Rows a resource's provider held back on one night, for one item and rule.
public struct QuarantineNightTotal: Codable, Sendable, Hashable {
    public var night: CalendarDate
    public var resourceCode: String
    public var provider: String
    public var item: String
    public var rule: String
    public var count: Int64

    public init(night: CalendarDate, resourceCode: String, provider: String, item: String, rule: String, count: Int64) {
        self.night = night
        self.resourceCode = resourceCode
        self.provider = provider
        self.item = item
        self.rule = rule
        self.count = count
    }

    enum CodingKeys: String, CodingKey { case night, resourceCode = "resource", provider, item, rule, count }
}
