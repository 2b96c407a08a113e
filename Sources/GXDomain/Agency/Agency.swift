import Foundation
import GXCrypto

/// A government agency registered with the hub, identified by its 统一社会信用代码.
public struct Agency: Codable, Sendable, Hashable {
    public var code: String
    public var name: String
    /// SM2 SubjectPublicKeyInfo PEM; verifies the agency's signatures on agreements, batches and receipts.
    public var publicKeyPEM: String
    public var roles: [AgencyRole]
    /// Keys the agency used before, oldest first: what they signed before their retirement still verifies.
    public var retiredKeys: [RetiredKey]
    /// Keys revoked as compromised (current or retired), in the order they were revoked.
    public var revokedKeys: [RevokedKey]

    public init(code: String, name: String, publicKeyPEM: String, roles: [AgencyRole], retiredKeys: [RetiredKey] = [],
                revokedKeys: [RevokedKey] = []) {
        self.code = code
        self.name = name
        self.publicKeyPEM = publicKeyPEM
        self.roles = roles.sorted()
        self.retiredKeys = retiredKeys
        self.revokedKeys = revokedKeys
    }

    /// Checks every field, so a registration is refused before anything is stored.
    public func validated() throws(InvalidInput) -> Agency {
        if let violation = IdentifierValidator.violation(of: code, as: .uscc) {
            throw InvalidInput(field: "code", reason: "not a valid 统一社会信用代码 (\(violation.rule))", record: code)
        }
        let trimmedName = name.trimmingCharacters(in: .whitespaces)
        guard !trimmedName.isEmpty, trimmedName.count <= 200 else {
            throw InvalidInput(field: "name", reason: "must be 1 to 200 characters", record: code)
        }
        guard !roles.isEmpty else {
            throw InvalidInput(field: "roles", reason: "at least one of provider, consumer", record: code)
        }
        let key: SM2PublicKey
        do { key = try SM2PublicKey(pem: publicKeyPEM) } catch {
            throw InvalidInput(field: "publicKey", reason: "not an SM2 public key in PEM (SubjectPublicKeyInfo): \(error)", record: code)
        }
        return Agency(code: code, name: trimmedName, publicKeyPEM: key.pem, roles: Array(Set(roles)), retiredKeys: retiredKeys,
                      revokedKeys: revokedKeys)
    }

    enum CodingKeys: String, CodingKey {
        case code, name, publicKeyPEM = "public_key", roles, retiredKeys = "retired_keys", revokedKeys = "revoked_keys"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(code: try c.decode(String.self, forKey: .code), name: try c.decode(String.self, forKey: .name),
                  publicKeyPEM: try c.decode(String.self, forKey: .publicKeyPEM), roles: try c.decode([AgencyRole].self, forKey: .roles),
                  retiredKeys: try c.decodeIfPresent([RetiredKey].self, forKey: .retiredKeys) ?? [],
                  revokedKeys: try c.decodeIfPresent([RevokedKey].self, forKey: .revokedKeys) ?? [])
    }

    public func publicKey() throws -> SM2PublicKey { try SM2PublicKey(pem: publicKeyPEM) }
}
