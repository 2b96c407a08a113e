import GXCrypto

extension Agency {
    /// The key that was in force at `time` (a `Timestamp.string`): the first key retired after it, else the
    /// current one. Checks what the agency signed then — a batch, a signature on an agreement — after a rotation.
    public func publicKeyPEM(at time: String) -> String {
        retiredKeys.sorted { $0.retiredAt < $1.retiredAt }.first { time < $0.retiredAt }?.publicKeyPEM ?? publicKeyPEM
    }

    public func publicKey(at time: String) throws -> SM2PublicKey { try SM2PublicKey(pem: publicKeyPEM(at: time)) }

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
