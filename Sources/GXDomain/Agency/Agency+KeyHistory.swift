import Foundation
import GXCrypto

extension Agency {
    /// The key that was in force at `time` (a `Timestamp.string`): the first key retired after it, else the
    /// current one. Checks what the agency signed then — a batch, a signature on an agreement — after a rotation.
    public func publicKeyPEM(at time: String) -> String {
        retiredKeys.sorted { $0.retiredAt < $1.retiredAt }.first { time < $0.retiredAt }?.publicKeyPEM ?? publicKeyPEM
    }

    public func publicKey(at time: String) throws -> SM2PublicKey { try SM2PublicKey(pem: publicKeyPEM(at: time)) }

    /// The revocation of the key `pem`, if it was revoked.
    public func revocation(of pem: String) -> RevokedKey? {
        let sm3 = SM3.digest(pem).hex
        return revokedKeys.first { $0.publicKeySM3 == sm3 }
    }

    /// Refuses the key `pem` for what was signed (or accepted) at `time` if it was revoked at or before then.
    public func checkNotRevoked(_ pem: String, at time: String) throws(KeyRevoked) {
        if let revocation = revocation(of: pem), revocation.revokedAt <= time { throw KeyRevoked(agency: code, revocation: revocation) }
    }

    /// The key in force at `time` unless it was revoked by then: what verifies a signature the agency made then.
    public func unrevokedKey(at time: String) throws -> SM2PublicKey {
        let pem = publicKeyPEM(at: time)
        try checkNotRevoked(pem, at: time)
        return try SM2PublicKey(pem: pem)
    }

    /// The agency with its key whose PEM has SM3 `sm3` (current or retired) revoked from `time`, for `reason`.
    public func revokingKey(sm3: String, at time: String, reason: String) throws(InvalidInput) -> Agency {
        let wanted = sm3.lowercased()
        guard ([publicKeyPEM] + retiredKeys.map(\.publicKeyPEM)).contains(where: { SM3.digest($0).hex == wanted }) else {
            throw InvalidInput(field: "public_key_sm3", reason: "\(sm3) is the SM3 of none of the agency's keys (current or retired)", record: code)
        }
        guard !revokedKeys.contains(where: { $0.publicKeySM3 == wanted }) else {
            throw InvalidInput(field: "public_key_sm3", reason: "key \(wanted) is already revoked", record: code)
        }
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 1000 else {
            throw InvalidInput(field: "reason", reason: "must be 1 to 1000 characters: say why the key is revoked", record: code)
        }
        var revoked = self
        revoked.revokedKeys.append(RevokedKey(publicKeySM3: wanted, revokedAt: time, reason: trimmed))
        return revoked
    }

    /// The agency with `newKeyPEM` in force from `time`, its current key retired then. Refuses the key it
    /// already has or had: a rotation must bring a fresh key.
    public func rotatingKey(to newKeyPEM: String, at time: String) throws(InvalidInput) -> Agency {
        let key: SM2PublicKey
        do { key = try SM2PublicKey(pem: newKeyPEM) } catch {
            throw InvalidInput(field: "public_key", reason: "not an SM2 public key in PEM (SubjectPublicKeyInfo): \(error)", record: code)
        }
        guard key.pem != publicKeyPEM, !retiredKeys.contains(where: { $0.publicKeyPEM == key.pem }) else {
            throw InvalidInput(field: "public_key", reason: "this key is or was already the agency's; generate a new one", record: code)
        }
        var rotated = self
        rotated.retiredKeys.append(RetiredKey(publicKeyPEM: publicKeyPEM, retiredAt: time))
        rotated.publicKeyPEM = key.pem
        return rotated
    }
}
