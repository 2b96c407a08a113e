/// An SM2 public key an agency no longer signs with, and when it stopped being in force.
public struct RetiredKey: Codable, Sendable, Hashable {
    public var publicKeyPEM: String
    /// Timestamp (`Timestamp.string`) of the rotation that replaced it.
    public var retiredAt: String

    public init(publicKeyPEM: String, retiredAt: String) {
        self.publicKeyPEM = publicKeyPEM
        self.retiredAt = retiredAt
    }

    enum CodingKeys: String, CodingKey { case publicKeyPEM = "public_key", retiredAt = "retired_at" }
}
