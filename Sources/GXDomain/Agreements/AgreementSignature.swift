/// One party's SM2 signature over the canonical terms.
public struct AgreementSignature: Codable, Sendable, Hashable {
    public var signer: String
    /// SM3 of the canonical terms that were signed (hex).
    public var contentDigest: String
    /// DER signature, base64.
    public var signature: String
    public var signedAt: String

    public init(signer: String, contentDigest: String, signature: String, signedAt: String) {
        self.signer = signer
        self.contentDigest = contentDigest
        self.signature = signature
        self.signedAt = signedAt
    }

    enum CodingKeys: String, CodingKey {
        case signer, contentDigest = "content_digest", signature, signedAt = "signed_at"
    }
}
