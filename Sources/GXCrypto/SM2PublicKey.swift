import COpenSSL

/// An SM2 public key (SubjectPublicKeyInfo): how agencies and the hub know each other.
///
/// Immutable after creation and safe to share between tasks: every verification uses fresh contexts.
public final class SM2PublicKey: @unchecked Sendable, Hashable {
    let key: EVPKey

    /// DER SubjectPublicKeyInfo; two keys are equal exactly when these bytes are.
    public let derRepresentation: [UInt8]

    /// PEM as OpenSSL writes it, so one key always has one text (whatever line wrapping it arrived with).
    public let pem: String

    init(key: EVPKey) throws(CryptoError) {
        self.key = key
        derRepresentation = try key.subjectPublicKeyInfoDER()
        pem = try key.publicKeyPEM()
    }

    /// Reads `-----BEGIN PUBLIC KEY-----` (SubjectPublicKeyInfo, as `openssl pkey -pubout` writes);
    /// throws `.notSM2Key` for keys of other algorithms and `.invalidKey` for anything unreadable.
    public convenience init(pem: String) throws(CryptoError) {
        try self.init(key: EVPKey.readPublicKey(pem: pem))
    }

    /// Whether `der` is a valid SM2 signature over `message` (SM3, distinguishing ID
    /// `1234567812345678`). Malformed input is simply invalid.
    public func isValidSignature(_ der: [UInt8], for message: [UInt8]) -> Bool {
        der.withUnsafeBytes { signature in
            message.withUnsafeBytes { bytes in key.sm2Verify(signature, message: bytes) }
        }
    }

    public func isValidSignature(_ der: UnsafeRawBufferPointer, for message: UnsafeRawBufferPointer) -> Bool {
        key.sm2Verify(der, message: message)
    }

    public static func == (lhs: SM2PublicKey, rhs: SM2PublicKey) -> Bool {
        lhs.derRepresentation == rhs.derRepresentation
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(derRepresentation)
    }
}
