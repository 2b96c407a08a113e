import Foundation
import Testing
import GXCrypto

@Suite("Payloads sealed at rest: SM4-CTR with HMAC-SM3")
struct SealedFileTests {
    static func keyring(_ scratch: ScratchDirectory) throws -> DataKeyring {
        try DataKeyring.addKey(in: scratch.path("keys"))
        return try DataKeyring(directory: scratch.path("keys"))
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    @Test("bare SM4-CTR encrypts a file exactly as openssl enc -sm4-ctr does")
    func sm4CTRMatchesOpenSSLEncrypting() throws {
        let scratch = try ScratchDirectory()
        let key = Self.randomBytes(16), iv = Self.randomBytes(16)
        try scratch.write(Self.randomBytes(1_500_000), to: "plain")
        try SM4CTRCipher.transform(file: scratch.path("plain"), into: scratch.path("gx.enc"), key: key, iv: iv)
        try scratch.opensslSucceeding("enc", "-sm4-ctr", "-K", Hex.encode(key), "-iv", Hex.encode(iv), "-in", "plain", "-out", "openssl.enc")
        #expect(try scratch.read("gx.enc") == scratch.read("openssl.enc"))
        #expect(try scratch.read("gx.enc") != scratch.read("plain"))
    }

    @Test("bare SM4-CTR decrypts what openssl enc -sm4-ctr encrypted")
    func sm4CTRMatchesOpenSSLDecrypting() throws {
        let scratch = try ScratchDirectory()
        let key = Self.randomBytes(16), iv = Self.randomBytes(16)
        try scratch.write(Self.randomBytes(70_001), to: "plain")
        try scratch.opensslSucceeding("enc", "-sm4-ctr", "-K", Hex.encode(key), "-iv", Hex.encode(iv), "-in", "plain", "-out", "openssl.enc")
        try SM4CTRCipher.transform(file: scratch.path("openssl.enc"), into: scratch.path("back"), key: key, iv: iv)
        #expect(try scratch.read("back") == scratch.read("plain"))
    }

    @Test("HMAC-SM3 agrees with openssl mac -digest SM3 HMAC")
    func hmacMatchesOpenSSL() throws {
        let scratch = try ScratchDirectory()
        let key = Self.randomBytes(32), message = Self.randomBytes(100_003)
        try scratch.write(message, to: "message")
        let mac = HMACSM3(key: key)
        mac.update(Array(message[..<777]))
        mac.update(Array(message[777...]))
        let expected = try scratch.opensslSucceeding("mac", "-digest", "SM3", "-macopt", "hexkey:\(Hex.encode(key))", "-in", "message", "HMAC").stdout
        #expect(Hex.encode(mac.finalize()) == expected.trimmingCharacters(in: .whitespacesAndNewlines).lowercased())
    }

    @Test("a sealed file opens to its plaintext, and its middle is what openssl enc makes under the key and the file's IV")
    func sealedFileRoundTripsAndOpensWithOpenSSL() throws {
        let scratch = try ScratchDirectory()
        let ring = try Self.keyring(scratch)
        let plain = Self.randomBytes(600_000)
        try scratch.write(plain, to: "plain")
        try SealedFile.seal(scratch.path("plain"), into: scratch.path("sealed"), key: ring.current)
        let sealed = try scratch.read("sealed")
        #expect(sealed.count == plain.count + SealedFile.overhead)
        #expect(Array(sealed[0..<8]) == SealedFile.magic)
        #expect(Array(sealed[8..<16]) == ring.current.id)

        let reader = try SealedFileReader(path: scratch.path("sealed"), keyring: ring)
        #expect(reader.plaintextSize == Int64(plain.count))
        #expect(try reader.readAll() == plain)

        try scratch.write(Array(sealed[32..<(sealed.count - 32)]), to: "ciphertext")
        try scratch.opensslSucceeding("enc", "-d", "-sm4-ctr", "-K", Hex.encode(ring.current.encryptionKey),
                                      "-iv", Hex.encode(sealed[16..<32]), "-in", "ciphertext", "-out", "by-openssl")
        #expect(try scratch.read("by-openssl") == plain)
        try scratch.write(Array(sealed[..<(sealed.count - 32)]), to: "sealed.head")
        let tag = try scratch.opensslSucceeding("mac", "-digest", "SM3", "-macopt", "hexkey:\(Hex.encode(ring.current.authenticationKey))",
                                                "-in", "sealed.head", "HMAC").stdout
        #expect(tag.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() == Hex.encode(sealed[(sealed.count - 32)...]))
    }

    @Test("a sealed file with one byte changed anywhere is refused when it is opened, before any plaintext")
    func changedByteIsRefused() throws {
        let scratch = try ScratchDirectory()
        let ring = try Self.keyring(scratch)
        try scratch.write(Self.randomBytes(50_000), to: "plain")
        try SealedFile.seal(scratch.path("plain"), into: scratch.path("sealed"), key: ring.current)
        let sealed = try scratch.read("sealed")
        for position in [3, 20, 40, 25_000, sealed.count - 1] {
            var changed = sealed
            changed[position] ^= 0x01
            try scratch.write(changed, to: "changed-\(position)")
            #expect(throws: CryptoError.self, "byte \(position)") { try SealedFileReader(path: scratch.path("changed-\(position)"), keyring: ring) }
        }
    }

    @Test("a sealed file changed after it was opened is refused at its end when it is streamed, not read into memory")
    func fileChangedWhileStreamedIsRefused() throws {
        let scratch = try ScratchDirectory()
        let ring = try Self.keyring(scratch)
        try scratch.write(Self.randomBytes(300_000), to: "plain")
        try SealedFile.seal(scratch.path("plain"), into: scratch.path("sealed"), key: ring.current)
        let reader = try SealedFileReader(path: scratch.path("sealed"), keyring: ring, memory: SealedFileMemory(total: 0, perFile: 0))
        try Self.flipByte(at: 200_000, of: scratch.path("sealed"))
        let refused = #expect(throws: CryptoError.self) { _ = try reader.readAll() }
        #expect("\(refused.map { "\($0)" } ?? "")".contains("changed while it was read"))
    }

    @Test("a sealed file read into memory as its tag is checked opens to what was checked, and gives its allowance back on close")
    func fileHeldInMemoryOpensInOnePass() throws {
        let scratch = try ScratchDirectory()
        let ring = try Self.keyring(scratch)
        let plain = Self.randomBytes(300_000)
        try scratch.write(plain, to: "plain")
        try SealedFile.seal(scratch.path("plain"), into: scratch.path("sealed"), key: ring.current)
        let memory = SealedFileMemory(total: 1 << 20, perFile: 1 << 20)
        let reader = try SealedFileReader(path: scratch.path("sealed"), keyring: ring, memory: memory)
        #expect(memory.inUse == plain.count)
        // Changing the file now cannot change what is decrypted: the checked bytes are the ones in memory.
        try Self.flipByte(at: 200_000, of: scratch.path("sealed"))
        #expect(try reader.readAll() == plain)
        reader.close()
        #expect(memory.inUse == 0)
        // Opened again without room in the allowance, it is streamed: refused (its tag no longer matches), keeping none.
        let big = SealedFileMemory(total: 1 << 20, perFile: 100_000)
        let streamed = try? SealedFileReader(path: scratch.path("sealed"), keyring: ring, memory: big)
        #expect(streamed == nil && big.inUse == 0)
    }

    static func flipByte(at offset: Int, of path: String) throws {
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.seek(toOffset: UInt64(offset))
        let byte = try #require(try handle.read(upToCount: 1)?.first)
        try handle.seek(toOffset: UInt64(offset))
        try handle.write(contentsOf: Data([byte ^ 0x5A]))
        try handle.close()
    }

    @Test("a truncated sealed file and a plaintext file are refused, each saying why")
    func truncatedAndUnsealedAreRefused() throws {
        let scratch = try ScratchDirectory()
        let ring = try Self.keyring(scratch)
        try scratch.write(Self.randomBytes(5_000), to: "plain")
        try SealedFile.seal(scratch.path("plain"), into: scratch.path("sealed"), key: ring.current)
        try scratch.write(Array(try scratch.read("sealed").dropLast(1)), to: "truncated")
        let truncated = #expect(throws: CryptoError.self) { try SealedFileReader(path: scratch.path("truncated"), keyring: ring) }
        #expect("\(truncated!)".contains("HMAC-SM3 does not match"))
        let unsealed = #expect(throws: CryptoError.self) { try SealedFileReader(path: scratch.path("plain"), keyring: ring) }
        #expect("\(unsealed!)".contains("written without a data key"))
    }

    @Test("after a rotation new files are sealed under the new key and files sealed under the old one still open")
    func rotationKeepsOldFilesOpen() throws {
        let scratch = try ScratchDirectory()
        let before = try Self.keyring(scratch)
        try scratch.write(Self.randomBytes(10_000), to: "plain")
        try SealedFile.seal(scratch.path("plain"), into: scratch.path("old"), key: before.current)
        try DataKeyring.addKey(in: scratch.path("keys"))
        let after = try DataKeyring(directory: scratch.path("keys"))
        #expect(after.current.id != before.current.id)
        #expect(after.ids.count == 2)
        try SealedFile.seal(scratch.path("plain"), into: scratch.path("new"), key: after.current)
        #expect(Array(try scratch.read("new")[8..<16]) == after.current.id)
        #expect(try SealedFileReader(path: scratch.path("old"), keyring: after).readAll() == scratch.read("plain"))
        #expect(try SealedFileReader(path: scratch.path("new"), keyring: after).readAll() == scratch.read("plain"))
        let stranger = try ScratchDirectory()
        let refused = #expect(throws: CryptoError.self) { try SealedFileReader(path: scratch.path("new"), keyring: try Self.keyring(stranger)) }
        #expect("\(refused!)".contains(after.current.idHex))
    }

    @Test("a data-key file that others may read is refused, naming the chmod that fixes it")
    func readableKeyFileIsRefused() throws {
        let scratch = try ScratchDirectory()
        let key = try DataKeyring.addKey(in: scratch.path("keys"))
        chmod(scratch.path("keys/\(key.idHex).key"), 0o644)
        let refused = #expect(throws: CryptoError.self) { try DataKeyring(directory: scratch.path("keys")) }
        #expect("\(refused!)".contains("chmod go-rwx"))
    }

    @Test("data-key generation writes the directory 0700 and the key 0600")
    func keyFilesArePrivate() throws {
        let scratch = try ScratchDirectory()
        let key = try DataKeyring.addKey(in: scratch.path("keys"))
        let directory = try FileManager.default.attributesOfItem(atPath: scratch.path("keys"))[.posixPermissions] as? Int
        let file = try FileManager.default.attributesOfItem(atPath: scratch.path("keys/\(key.idHex).key"))[.posixPermissions] as? Int
        #expect(directory == 0o700)
        #expect(file == 0o600)
    }
}
