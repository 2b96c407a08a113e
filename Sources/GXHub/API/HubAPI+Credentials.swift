import GXDomain

extension HubAPI {
    /// Why an admin revokes or reissues a credential; kept in the audit entry. The body may be empty.
    public struct CredentialChange: Codable, Sendable {
        public var reason: String?
        public init(reason: String? = nil) { self.reason = reason }
    }

    /// The answer to a revocation: whose credentials stopped working, and how many there were.
    public struct RevokedCredentials: Codable, Sendable {
        public var principal: String
        public var revoked: Int
        public init(principal: String, revoked: Int) {
            self.principal = principal
            self.revoked = revoked
        }
    }
}
