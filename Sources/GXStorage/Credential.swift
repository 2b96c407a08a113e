import GXDomain

/// A bearer credential as the hub keeps it: only the SM3 of the token, never the token itself.
public struct Credential: Sendable, Hashable {
    public var tokenHash: String
    public var principal: Principal
    public var createdAt: String

    public init(tokenHash: String, principal: Principal, createdAt: String) {
        self.tokenHash = tokenHash
        self.principal = principal
        self.createdAt = createdAt
    }
}
