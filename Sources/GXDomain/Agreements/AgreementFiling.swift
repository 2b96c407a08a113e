/// The authority's filing (备案): the hub's SM2 signature over the terms and both parties' signatures.
public struct AgreementFiling: Codable, Sendable, Hashable {
    public var filedBy: String
    public var filedAt: String
    /// DER signature by the hub key over `SharingAgreement.filingBytes`, base64.
    public var signature: String
    /// The data levels above 一般 the authority acknowledged the agreement shares (重要, 核心), when it shares any.
    public var acknowledgedLevels: [String]?

    public init(filedBy: String, filedAt: String, signature: String, acknowledgedLevels: [String]? = nil) {
        self.filedBy = filedBy
        self.filedAt = filedAt
        self.signature = signature
        self.acknowledgedLevels = acknowledgedLevels
    }

    enum CodingKeys: String, CodingKey {
        case filedBy = "filed_by", filedAt = "filed_at", signature, acknowledgedLevels = "acknowledged_levels"
    }
}
