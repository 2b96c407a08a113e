import Foundation
import Testing
import GXCrypto

/// Payloads sealed into bytes (kept in a database) are sealed files byte for byte, and open with the same
/// checks in pieces.
@Suite("Payloads sealed and opened in pieces")
struct PayloadSealerTests {
    /// `plain` sealed by a PayloadSealer fed in uneven pieces.
    static func sealed(_ plain: [UInt8], key: DataKey, iv: [UInt8]) throws -> [UInt8] {
        let sealer = try PayloadSealer(key: key, iv: iv)
        var out = sealer.header
        var offset = 0, piece = 7
        while offset < plain.count {
            let end = min(plain.count, offset + piece)
            plain[offset..<end].withUnsafeBytes { sealer.seal($0, appendingTo: &out) }
            offset = end
            piece = piece * 5 % 70_001 + 3
        }
        return out + sealer.finish()
    }

    /// Opens `sealed` as a database store reads it: header, then the ciphertext in `piece`-byte reads.
    static func opened(_ sealed: [UInt8], keyring: DataKeyring, piece: Int) throws -> [UInt8] {
        let opener = try SealedPayloadOpener(name: "payload", sealedSize: Int64(sealed.count), header: Array(sealed.prefix(32)), keyring: keyring)
        let ciphertext = Array(sealed[32..<(sealed.count - 32)])
        for start in stride(from: 0, to: ciphertext.count, by: piece) {
            ciphertext[start..<min(ciphertext.count, start + piece)].withUnsafeBytes { opener.authenticate($0) }
        }
        try opener.verify(tag: Array(sealed.suffix(32)))
        var plain: [UInt8] = []
        for start in stride(from: 0, to: ciphertext.count, by: piece) {
            var chunk = Array(ciphertext[start..<min(ciphertext.count, start + piece)])
            try opener.open(&chunk)
            plain += chunk
        }
        return plain
    }

    @Test("a payload sealed in pieces is the sealed file of the same plaintext, key and IV, and opens in pieces to the plaintext")
    func sameBytesAsASealedFile() throws {
        let scratch = try ScratchDirectory()
        let ring = try SealedFileTests.keyring(scratch)
        let plain = SealedFileTests.randomBytes(300_000)
        let iv = SealedFileTests.randomBytes(16)
        let writer = try SealedFileWriter(path: scratch.path("sealed"), key: ring.current, iv: iv)
        try writer.write(plain)
        try writer.finish()
        let sealed = try Self.sealed(plain, key: ring.current, iv: iv)
        #expect(sealed == (try scratch.read("sealed")))
        #expect(try Self.opened(sealed, keyring: ring, piece: 65_536) == plain)
    }

    @Test("a payload with one byte changed is refused by the opener before any plaintext, and an unsealed one says so")
    func changedIsRefused() throws {
        let scratch = try ScratchDirectory()
        let ring = try SealedFileTests.keyring(scratch)
        let sealed = try Self.sealed(SealedFileTests.randomBytes(10_000), key: ring.current, iv: SealedFileTests.randomBytes(16))
        for position in [20, 5_000, sealed.count - 1] {
            var changed = sealed
            changed[position] ^= 0x01
            #expect(throws: CryptoError.self, "byte \(position)") { try Self.opened(changed, keyring: ring, piece: 4096) }
        }
        let unsealed = #expect(throws: CryptoError.self) { try Self.opened(SealedFileTests.randomBytes(100), keyring: ring, piece: 4096) }
        #expect("\(unsealed!)".contains("written without a data key"))
    }
}
