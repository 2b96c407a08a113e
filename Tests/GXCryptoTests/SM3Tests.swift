import Foundation
import Testing
import GXCrypto

@Suite("SM3")
struct SM3Tests {
    /// GB/T 32905-2016, appendix A, example 1.
    static let abcVector = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    /// GB/T 32905-2016, appendix A, example 2: "abcd" repeated 16 times (512 bits).
    static let abcd16Vector = "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"

    @Test("SM3 of \"abc\" is the GB/T 32905 vector")
    func abcMatchesStandardVector() {
        #expect(SM3.digest("abc").hex == Self.abcVector)
        #expect(SM3.digest(Array("abc".utf8)).description == Self.abcVector)
    }

    @Test("SM3 of a 64-byte message is the GB/T 32905 vector")
    func twoBlockMessageMatchesStandardVector() {
        #expect(SM3.digest(String(repeating: "abcd", count: 16)).hex == Self.abcd16Vector)
    }

    @Test("a hasher fed byte by byte agrees with the one-shot digest")
    func hasherByteByByteMatchesOneShot() {
        var hasher = SM3Hasher()
        for byte in "abc".utf8 { hasher.update([byte]) }
        #expect(hasher.finalize().hex == Self.abcVector)
    }

    @Test("finalize starts the hasher on a fresh message")
    func finalizeResets() {
        var hasher = SM3Hasher()
        hasher.update("not part of the second message")
        _ = hasher.finalize()
        hasher.update("abc")
        #expect(hasher.finalize().hex == Self.abcVector)
        #expect(hasher.finalize() == SM3.digest([UInt8]()))
    }

    @Test("a copied hasher continues independently of the original")
    func copiesAreIndependent() {
        var original = SM3Hasher()
        original.update("ab")
        var fork = original
        original.update("c")
        fork.update("cd")
        #expect(original.finalize().hex == Self.abcVector)
        #expect(fork.finalize() == SM3.digest("abcd"))
    }

    @Test("every update overload hashes the same bytes")
    func updateOverloadsAgree() {
        let bytes = Array("国密 SM3 — 共享交换".utf8)
        var a = SM3Hasher(), b = SM3Hasher(), c = SM3Hasher(), d = SM3Hasher()
        a.update(bytes)
        b.update("国密 SM3 — 共享交换")
        bytes.withUnsafeBytes { c.update($0) }
        d.update(bytes[...])
        let expected = SM3.digest(bytes)
        #expect([a.finalize(), b.finalize(), c.finalize(), d.finalize()] == Array(repeating: expected, count: 4))
    }

    @Test("SM3 of a multi-megabyte file equals `openssl dgst -sm3`")
    func fileDigestMatchesOpenSSL() throws {
        let scratch = try ScratchDirectory()
        // Not a multiple of the 1 MiB read size, so the last read is partial.
        try scratch.write(TestData.randomBytes(count: 3 * (1 << 20) + 12_345), to: "batch.bin")
        let ours = try SM3.digest(fileAt: scratch.path("batch.bin"))
        let theirs = try scratch.opensslSM3("batch.bin")
        #expect(ours.hex == theirs)
    }

    @Test("SM3 streamed in uneven chunks equals `openssl dgst -sm3` of the same bytes")
    func unevenChunksMatchOpenSSL() throws {
        let scratch = try ScratchDirectory()
        let data = TestData.semiRandomText(byteCount: 4 * (1 << 20) + 3)
        try scratch.write(data, to: "batch.csv")
        var hasher = SM3Hasher()
        for chunk in TestData.unevenChunks(data) { hasher.update(chunk) }
        let theirs = try scratch.opensslSM3("batch.csv")
        #expect(hasher.finalize().hex == theirs)
    }

    @Test("SM3 of an empty file equals `openssl dgst -sm3`")
    func emptyFileMatchesOpenSSL() throws {
        let scratch = try ScratchDirectory()
        try scratch.write([UInt8](), to: "empty")
        let theirs = try scratch.opensslSM3("empty")
        #expect(try SM3.digest(fileAt: scratch.path("empty")).hex == theirs)
    }

    @Test("a missing file is reported with its path")
    func missingFileReported() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.path("nope.csv")
        let error = #expect(throws: CryptoError.self) { try SM3.digest(fileAt: path) }
        guard case let .fileUnreadable(reportedPath, reason) = error else {
            Issue.record("expected fileUnreadable, got \(String(describing: error))")
            return
        }
        #expect(reportedPath == path)
        #expect(reason.localizedCaseInsensitiveContains("no such file"))
    }

    @Test("a directory is reported as unreadable, not hashed")
    func directoryReported() throws {
        let scratch = try ScratchDirectory()
        let error = #expect(throws: CryptoError.self) { try SM3.digest(fileAt: scratch.url.path) }
        guard case .fileUnreadable = error else {
            Issue.record("expected fileUnreadable, got \(String(describing: error))")
            return
        }
    }

    @Test("hex parsing accepts either case and rejects anything but 64 hex digits")
    func hexParsing() {
        #expect(SM3Digest(hex: Self.abcVector.uppercased())?.hex == Self.abcVector)
        #expect(SM3Digest(hex: String(Self.abcVector.dropLast())) == nil)
        #expect(SM3Digest(hex: Self.abcVector + "00") == nil)
        #expect(SM3Digest(hex: "g" + Self.abcVector.dropFirst()) == nil)
        #expect(SM3Digest(hex: "") == nil)
        #expect(SM3Digest(bytes: [UInt8](repeating: 1, count: 31)) == nil)
        #expect(SM3Digest(bytes: SM3.digest("abc").bytes) == SM3.digest("abc"))
    }
}
