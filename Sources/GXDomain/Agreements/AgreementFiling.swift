/// The authority's filing (备案): the hub's SM2 signature over the terms and both parties' signatures.
public struct AgreementFiling: Codable, Sendable, Hashable {
    public var filedBy: String
    public var filedAt: String
    /// DER signature by the hub key over `SharingAgreement.filingBytes`, base64.
    public var signature: String

    public init(filedBy: String, filedAt: String, signature: String) {
        self.filedBy = filedBy
        self.filedAt = filedAt
        self.signature = signature
    }

    enum CodingKeys: String, CodingKey {
        case filedBy = "filed_by", filedAt = "filed_at", signature
    }
}
