/// A consumer's signed acknowledgement that it applied a delivered batch: the provider's and the
/// auditor's proof of receipt.
public struct BatchReceipt: Codable, Sendable, Hashable {
    public var agreementID: String
    public var consumer: String
    public var resourceCode: String
    public var sequence: Int64
    /// The delivery's records digest, as the consumer recomputed it.
    public var recordsSM3: String
    public var upsertsApplied: Int64
    public var deletesApplied: Int64
    public var appliedAt: String

    public init(agreementID: String, consumer: String, resourceCode: String, sequence: Int64, recordsSM3: String,
                upsertsApplied: Int64, deletesApplied: Int64, appliedAt: String) {
        self.agreementID = agreementID
        self.consumer = consumer
        self.resourceCode = resourceCode
        self.sequence = sequence
        self.recordsSM3 = recordsSM3
        self.upsertsApplied = upsertsApplied
        self.deletesApplied = deletesApplied
        self.appliedAt = appliedAt
    }

    enum CodingKeys: String, CodingKey {
        case agreementID = "agreement", consumer, resourceCode = "resource", sequence, recordsSM3 = "records_sm3"
        case upsertsApplied = "upserts_applied", deletesApplied = "deletes_applied", appliedAt = "applied_at"
    }
}
