/// A signature made, or a batch accepted, with a key its agency revoked by then.
public struct KeyRevoked: Error, Sendable, Equatable, CustomStringConvertible {
    public let agency: String
    /// SM3 (hex) of the revoked key's PEM.
    public let keySM3: String
    public let revokedAt: String
    public let reason: String

    public init(agency: String, revocation: RevokedKey) {
        self.agency = agency
        keySM3 = revocation.publicKeySM3
        revokedAt = revocation.revokedAt
        reason = revocation.reason
    }

    public var description: String {
        "\(agency)'s key \(keySM3) was revoked at \(revokedAt) (\(reason)): nothing signed with it from then on is accepted"
    }
}
