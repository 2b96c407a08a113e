/// Opens a sealed payload read in pieces rather than from a file (a payload kept in a database), with the
/// guarantees of ``SealedFileReader``: the whole payload's tag is checked (`authenticate`, then `verify`)
/// before any plaintext is handed out, and checked again as the bytes are decrypted (`open`), so a payload
/// changed between the two passes is refused at its end. Refusals name the payload and say why, in the
/// words of ``SealedFileReader``.
///
/// Not Sendable: one payload, opened by one task at a time.
public final class SealedPayloadOpener {
    public let name: String
    public let plaintextSize: Int64
    private let header: [UInt8]
    private let cipher: SM4CTRCipher
    private let check: HMACSM3
    private let recheck: HMACSM3
    private var expectedTag: [UInt8]?
    private var opened: Int64 = 0

    /// `header` is the payload's first ``SealedFile/headerByteCount`` bytes, `sealedSize` its whole length.
    public init(name: String, sealedSize: Int64, header: [UInt8], keyring: DataKeyring) throws(CryptoError) {
        self.name = name
        guard sealedSize >= Int64(SealedFile.overhead), header.count == SealedFile.headerByteCount else {
            throw .sealedFileRefused(path: name, reason: "it is \(sealedSize) bytes, shorter than any sealed file")
        }
        guard Array(header[0..<8]) == SealedFile.magic else {
            throw .sealedFileRefused(path: name, reason: "it does not start as a sealed file does (GXSM4v1): it was written without a data key, or replaced")
        }
        let id = Array(header[8..<16])
        guard let key = keyring.key(id: id) else {
            throw .sealedFileRefused(path: name, reason: "it was sealed under data key \(Hex.encode(id)), which \(keyring.directory) does not hold")
        }
        self.header = header
        cipher = try SM4CTRCipher(key: key.encryptionKey, iv: Array(header[16..<32]))
        check = HMACSM3(key: key.authenticationKey)
        check.update(header)
        recheck = HMACSM3(key: key.authenticationKey)
        recheck.update(header)
        plaintextSize = sealedSize - Int64(SealedFile.overhead)
    }

    /// First pass: the next ciphertext bytes, in order.
    public func authenticate(_ ciphertext: UnsafeRawBufferPointer) { check.update(ciphertext) }

    /// Ends the first pass with the payload's last ``SealedFile/tagByteCount`` bytes.
    public func verify(tag: [UInt8]) throws(CryptoError) {
        guard HMACSM3.equal(check.finalize(), tag) else {
            throw .sealedFileRefused(path: name, reason: "its HMAC-SM3 does not match: it was changed after it was sealed")
        }
        expectedTag = tag
    }

    /// Instead of a second pass, for a payload whose ciphertext the caller kept in memory as it authenticated it
    /// (see ``SealedFileMemory``): decrypts the next of those bytes in place. They cannot have changed since.
    public func decryptHeld(_ chunk: inout [UInt8]) {
        precondition(expectedTag != nil, "a sealed payload opened before its tag was verified")
        cipher.apply(&chunk)
    }

    /// Second pass: decrypts the next ciphertext bytes in place; after the last of them the tag must hold again.
    public func open(_ chunk: inout [UInt8]) throws(CryptoError) {
        guard let expectedTag else { preconditionFailure("a sealed payload opened before its tag was verified") }
        recheck.update(chunk)
        opened += Int64(chunk.count)
        if opened == plaintextSize, !HMACSM3.equal(recheck.finalize(), expectedTag) {
            throw .sealedFileRefused(path: name, reason: "it changed while it was read")
        }
        cipher.apply(&chunk)
    }
}
