import GXDomain

/// A person signed in to the console: kept in the store so every hub process sharing it knows the session.
///
/// Only the SM3 of the session token (the cookie's value) is kept, as with bearer credentials. The session
/// names the credential it was opened with: revoking that credential ends the session too.
public struct ConsoleSession: Sendable, Hashable {
    public var tokenHash: String
    public var principal: Principal
    public var credentialHash: String
    /// `Timestamp.string` instants: a session ends 12 h after `openedAt` or 30 min after `lastSeenAt`.
    public var openedAt: String
    public var lastSeenAt: String

    public init(tokenHash: String, principal: Principal, credentialHash: String, openedAt: String, lastSeenAt: String) {
        self.tokenHash = tokenHash
        self.principal = principal
        self.credentialHash = credentialHash
        self.openedAt = openedAt
        self.lastSeenAt = lastSeenAt
    }
}

extension Principal {
    /// The principal a stored kind and id name, nil for a kind this gx does not know.
    public init?(kind: String, id: String) {
        switch PrincipalKind(rawValue: kind) {
        case .admin: self = .admin(name: id)
        case .agency: self = .agency(code: id)
        case .auditor: self = .auditor(name: id)
        case nil: return nil
        }
    }
}
