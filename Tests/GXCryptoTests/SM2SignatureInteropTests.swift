import Foundation
import Testing
import GXCrypto

/// Signatures must cross between gx and the `openssl` tool in both directions, with the GM/T 0009 ID.
@Suite("SM2 signatures and openssl")
struct SM2SignatureInteropTests {
    static let distid = "distid:1234567812345678"
    let message = Array("协议 2024-001: 市建委 → 市地税局, 房产交易 每日\n".utf8)

    @Test("a gx signature verifies with `openssl dgst -sm3 -verify` and the distid")
    func gxSignatureVerifiesInOpenSSL() throws {
        let scratch = try ScratchDirectory()
        let key = try SM2PrivateKey.generate()
        try scratch.write(key.publicKey.pem, to: "pub.pem")
        try scratch.write(message, to: "terms.txt")
        try scratch.write(try key.signature(for: message), to: "sig.der")

        let result = try scratch.openssl("dgst", "-sm3", "-verify", "pub.pem", "-signature", "sig.der",
                                         "-sigopt", Self.distid, "terms.txt")
        #expect(result.status == 0, "openssl: \(result.stderr)")
        #expect(result.stdout.contains("Verified OK"))
    }

    @Test("a gx signature does not verify in openssl without the distid (the ID really is set)")
    func gxSignatureNeedsDistidInOpenSSL() throws {
        let scratch = try ScratchDirectory()
        let key = try SM2PrivateKey.generate()
        try scratch.write(key.publicKey.pem, to: "pub.pem")
        try scratch.write(message, to: "terms.txt")
        try scratch.write(try key.signature(for: message), to: "sig.der")

        let result = try scratch.openssl("dgst", "-sm3", "-verify", "pub.pem", "-signature", "sig.der", "terms.txt")
        #expect(result.status != 0)
        #expect(!result.stdout.contains("Verified OK"))
    }

    @Test("an openssl key and signature with the distid verify in gx")
    func opensslSignatureVerifiesInGX() throws {
        let scratch = try ScratchDirectory()
        try scratch.write(message, to: "terms.txt")
        try scratch.opensslSucceeding("genpkey", "-algorithm", "SM2", "-out", "key.pem")
        try scratch.opensslSucceeding("pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem")
        try scratch.opensslSucceeding("dgst", "-sm3", "-sign", "key.pem", "-sigopt", Self.distid,
                                      "-out", "sig.der", "terms.txt")

        let publicKey = try SM2PublicKey(pem: try scratch.readText("pub.pem"))
        #expect(publicKey.isValidSignature(try scratch.read("sig.der"), for: message))
    }

    @Test("an openssl signature over a changed message fails in gx")
    func changedMessageFails() throws {
        let scratch = try ScratchDirectory()
        try scratch.write(message, to: "terms.txt")
        try scratch.opensslSucceeding("genpkey", "-algorithm", "SM2", "-out", "key.pem")
        try scratch.opensslSucceeding("pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem")
        try scratch.opensslSucceeding("dgst", "-sm3", "-sign", "key.pem", "-sigopt", Self.distid,
                                      "-out", "sig.der", "terms.txt")

        let publicKey = try SM2PublicKey(pem: try scratch.readText("pub.pem"))
        var changed = message
        changed[changed.count - 2] ^= 0x01
        #expect(!publicKey.isValidSignature(try scratch.read("sig.der"), for: changed))
    }

    @Test("an openssl signature made with its default (empty) distid fails in gx")
    func defaultDistidSignatureFails() throws {
        let scratch = try ScratchDirectory()
        try scratch.write(message, to: "terms.txt")
        try scratch.opensslSucceeding("genpkey", "-algorithm", "SM2", "-out", "key.pem")
        try scratch.opensslSucceeding("pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem")
        try scratch.opensslSucceeding("dgst", "-sm3", "-sign", "key.pem", "-out", "sig.der", "terms.txt")
        // Sanity: openssl itself accepts it with the same (empty) ID, so only the ID differs.
        let own = try scratch.openssl("dgst", "-sm3", "-verify", "pub.pem", "-signature", "sig.der", "terms.txt")
        #expect(own.status == 0, "openssl: \(own.stderr)")

        let publicKey = try SM2PublicKey(pem: try scratch.readText("pub.pem"))
        #expect(!publicKey.isValidSignature(try scratch.read("sig.der"), for: message))
    }

    @Test("a gx signature over a changed message fails in openssl")
    func changedMessageFailsInOpenSSL() throws {
        let scratch = try ScratchDirectory()
        let key = try SM2PrivateKey.generate()
        try scratch.write(key.publicKey.pem, to: "pub.pem")
        try scratch.write(try key.signature(for: message), to: "sig.der")
        try scratch.write(message + [0x0A], to: "terms.txt")

        let result = try scratch.openssl("dgst", "-sm3", "-verify", "pub.pem", "-signature", "sig.der",
                                         "-sigopt", Self.distid, "terms.txt")
        #expect(result.status != 0)
        #expect(result.stdout.contains("Verification failure"))
    }
}
