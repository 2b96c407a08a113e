import COpenSSL

/// An SM2 private key: signs agreements, batch manifests, receipts and audit checkpoints.
///
/// Immutable after creation and safe to share between tasks: every signature uses fresh OpenSSL contexts.
public final class SM2PrivateKey: @unchecked Sendable {
    let key: EVPKey

    /// The matching public key, split off once (it holds no private material).
    public let publicKey: SM2PublicKey

    private init(key: EVPKey) throws(CryptoError) {
        self.key = key
        publicKey = try SM2PublicKey(key: EVPKey.fromSubjectPublicKeyInfo(key.subjectPublicKeyInfoDER()))
    }

    /// A fresh key pair from OpenSSL's default random source.
    public static func generate() throws(CryptoError) -> SM2PrivateKey {
        // EVP_PKEY_Q_keygen is variadic and so not callable from Swift; go through a keygen context.
        guard let context = EVP_PKEY_CTX_new_from_name(nil, "SM2", nil) else {
            throw .openssl("SM2 key generation: EVP_PKEY_CTX_new_from_name")
        }
        defer { EVP_PKEY_CTX_free(context) }
        var generated: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1, EVP_PKEY_generate(context, &generated) == 1, let generated else {
            throw .openssl("SM2 key generation")
        }
        return try SM2PrivateKey(key: EVPKey(taking: generated))
    }

    /// Reads an unencrypted PKCS#8 key (`-----BEGIN PRIVATE KEY-----`, as `openssl genpkey` writes);
    /// throws `.notSM2Key` for keys of other algorithms and `.invalidKey` for anything unreadable.
    public convenience init(pem: String) throws(CryptoError) {
        try self.init(key: EVPKey.readPrivateKey(pem: pem))
    }

    /// Unencrypted PKCS#8 PEM. Whoever writes it to disk should make the file mode 0600.
    public var pkcs8PEM: String {
        do {
            return try key.privateKeyPEM()
        } catch {
            // Only a failed allocation can stop OpenSSL encoding a key it holds; an empty string
            // would silently become an empty key file.
            fatalError("cannot encode the SM2 private key: \(error)")
        }
    }

    /// DER `ECDSA_SIG` over SM3 with the distinguishing ID `1234567812345678`; verifies with
    /// `openssl dgst -sm3 -verify PUB -signature SIG -sigopt distid:1234567812345678 FILE`.
    public func signature(for message: [UInt8]) throws(CryptoError) -> [UInt8] {
        try message.withBytes { (bytes) throws(CryptoError) -> [UInt8] in try key.sm2Sign(bytes) }
    }

    public func signature(for message: UnsafeRawBufferPointer) throws(CryptoError) -> [UInt8] {
        try key.sm2Sign(message)
    }
}
