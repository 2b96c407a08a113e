/// Seals a payload as it streams into bytes rather than into a file (a payload kept in a database): the same
/// format as a ``SealedFile`` — header, SM4-CTR ciphertext, HMAC-SM3 tag — so both stores keep the same bytes.
///
/// Not Sendable: one payload, sealed by one task at a time.
public final class PayloadSealer {
    /// `"GXSM4v1" 0x00`, the key's id and the IV: the first bytes of the sealed payload.
    public let header: [UInt8]
    private let cipher: SM4CTRCipher
    private let tag: HMACSM3

    /// `iv` is random unless given (tests).
    public init(key: DataKey, iv: [UInt8]? = nil) throws(CryptoError) {
        var iv = iv ?? []
        if iv.isEmpty { iv = try DataKey.randomBytes(SM4CTRCipher.ivByteCount) }
        cipher = try SM4CTRCipher(key: key.encryptionKey, iv: iv)
        tag = HMACSM3(key: key.authenticationKey)
        header = SealedFile.magic + key.id + iv
        tag.update(header)
    }

    /// Appends the ciphertext of `bytes` to `output`, taking it into the tag.
    public func seal(_ bytes: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) {
        guard !bytes.isEmpty else { return }
        let start = output.count
        output.append(contentsOf: bytes)
        output.withUnsafeMutableBytes { buffer in
            let region = UnsafeMutableRawBufferPointer(rebasing: buffer[start...])
            cipher.apply(UnsafeRawBufferPointer(region), into: region)
            tag.update(UnsafeRawBufferPointer(region))
        }
    }

    /// The tag, the last bytes of the sealed payload; the sealer is spent afterwards.
    public func finish() -> [UInt8] { tag.finalize() }
}
