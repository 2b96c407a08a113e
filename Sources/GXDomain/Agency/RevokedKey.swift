/// An SM2 key an agency lost control of (compromised), not merely replaced: from `revokedAt` on nothing
/// signed with it is accepted, whether it was still in force or already retired.
public struct RevokedKey: Codable, Sendable, Hashable {
    /// SM3 (hex) of the key's PEM, as audit entries name keys.
    public var publicKeySM3: String
    /// Timestamp (`Timestamp.string`) from which the key is refused; may be earlier than the revocation was recorded.
    public var revokedAt: String
    public var reason: String

    public init(publicKeySM3: String, revokedAt: String, reason: String) {
        self.publicKeySM3 = publicKeySM3
        self.revokedAt = revokedAt
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey { case publicKeySM3 = "public_key_sm3", revokedAt = "revoked_at", reason }
}
