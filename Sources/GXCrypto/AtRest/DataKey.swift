import COpenSSL

/// The secret that seals payloads at rest (密评: data stored with 国密): a 16-byte SM4 key for
/// confidentiality and a 32-byte HMAC-SM3 key for integrity. Its id, the first 8 bytes of the SM3 of both,
/// is written into every sealed file so a rotated keyring still opens files sealed under older keys.
///
/// Kept as text, one `name = hex` line per key, so an operator can hand the SM4 key to
/// `openssl enc -sm4-ctr -K` without a tool of ours.
public struct DataKey: Sendable, Equatable {
    public let encryptionKey: [UInt8]
    public let authenticationKey: [UInt8]

    public static let authenticationKeyByteCount = 32

    public init(encryptionKey: [UInt8], authenticationKey: [UInt8]) throws(CryptoError) {
        guard encryptionKey.count == SM4CTRCipher.keyByteCount else {
            throw .invalidKey(reason: "the sm4 key is \(encryptionKey.count) bytes; a data key's sm4 line holds 32 hex digits")
        }
        guard authenticationKey.count == Self.authenticationKeyByteCount else {
            throw .invalidKey(reason: "the hmac-sm3 key is \(authenticationKey.count) bytes; a data key's hmac-sm3 line holds 64 hex digits")
        }
        self.encryptionKey = encryptionKey
        self.authenticationKey = authenticationKey
    }

    /// A fresh key from OpenSSL's CSPRNG.
    public static func generate() throws(CryptoError) -> DataKey {
        try DataKey(encryptionKey: try randomBytes(SM4CTRCipher.keyByteCount),
                    authenticationKey: try randomBytes(authenticationKeyByteCount))
    }

    /// 8 bytes naming the key inside sealed files; not secret (SM3 is one-way).
    public var id: [UInt8] {
        var hasher = SM3Hasher()
        hasher.update("gongxiang data key v1")
        hasher.update(encryptionKey)
        hasher.update(authenticationKey)
        return Array(hasher.finalize().bytes.prefix(8))
    }

    public var idHex: String { Hex.encode(id) }

    /// The key file's text.
    public var text: String {
        """
        # Gongxiang data key: seals payloads at rest with SM4-CTR, then HMAC-SM3 over the ciphertext.
        # Keep this file mode 0600. id \(idHex)
        # A sealed file is: "GXSM4v1" 0x00, this id (8 bytes), the IV (16 bytes), the SM4-CTR ciphertext, and the
        # HMAC-SM3 (32 bytes) of everything before it; the ciphertext decrypts with
        #   openssl enc -d -sm4-ctr -K <sm4> -iv <the file's IV in hex>
        sm4 = \(Hex.encode(encryptionKey))
        hmac-sm3 = \(Hex.encode(authenticationKey))

        """
    }

    /// Reads a key file's text; `source` names the file in errors.
    public init(text: String, source: String) throws(CryptoError) {
        var values: [String: [UInt8]] = [:]
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingSpaces
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingSpaces }
            guard parts.count == 2, ["sm4", "hmac-sm3"].contains(parts[0]), let bytes = Hex.decode(parts[1]) else {
                throw .invalidKey(reason: "\(source) line \(number + 1): expected `sm4 = <32 hex digits>` or `hmac-sm3 = <64 hex digits>`")
            }
            values[parts[0]] = bytes
        }
        guard let encryption = values["sm4"], let authentication = values["hmac-sm3"] else {
            throw .invalidKey(reason: "\(source) lacks its \(values["sm4"] == nil ? "sm4" : "hmac-sm3") line; create data keys with `gx data-key generate`")
        }
        try self.init(encryptionKey: encryption, authenticationKey: authentication)
    }

    static func randomBytes(_ count: Int) throws(CryptoError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        guard RAND_bytes(&bytes, Int32(count)) == 1 else { throw .openssl("RAND_bytes") }
        return bytes
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(drop(while: { $0 == " " || $0 == "\t" || $0 == "\r" }).reversed().drop(while: { $0 == " " || $0 == "\t" || $0 == "\r" }).reversed())
    }
}

extension String {
    fileprivate var trimmingSpaces: String { self[...].trimmingSpaces }
}
