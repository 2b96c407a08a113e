/// Where an agreement is in its life. Data flows only while `active`.
public enum AgreementState: String, Codable, Sendable, CaseIterable {
    case draft
    case signedByConsumer = "signed_by_consumer"
    case signedByProvider = "signed_by_provider"
    case filed
    case active
    case suspended
    case revoked
    case expired
    case superseded

    /// Revoked, expired and superseded agreements never come back.
    public var isFinal: Bool { self == .revoked || self == .expired || self == .superseded }
}
