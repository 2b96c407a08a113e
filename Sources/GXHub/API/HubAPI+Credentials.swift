import GXDomain

extension HubAPI {
    /// Why an admin revokes or reissues a credential; kept in the audit entry. The body may be empty.
    public struct CredentialChange: Codable, Sendable {
        public var reason: String?
        public init(reason: String? = nil) { self.reason = reason }
    }

    /// The answer to a revocation: whose credentials stopped working, and how many there were.
    /// The credentials a holder has, by id (never the token).
    public struct HeldCredentials: Codable, Sendable {
        public var principal: String
        public var credentials: [HeldCredential]
        public init(principal: String, credentials: [HeldCredential]) {
            self.principal = principal
            self.credentials = credentials
        }
    }

    public struct HeldCredential: Codable, Sendable {
        /// The first 16 hex digits of the token's SM3 (`gx credentials id --token-file` shows a token's).
        public var id: String
        public var createdAt: String
        public init(id: String, createdAt: String) {
            self.id = id
            self.createdAt = createdAt
        }
        enum CodingKeys: String, CodingKey { case id, createdAt = "created_at" }
    }

    public struct RevokedCredentials: Codable, Sendable {
        public var principal: String
        public var revoked: Int
        public init(principal: String, revoked: Int) {
            self.principal = principal
            self.revoked = revoked
        }
    }
}
