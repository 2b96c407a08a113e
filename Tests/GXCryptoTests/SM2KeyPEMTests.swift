import Foundation
import Testing
import GXCrypto

@Suite("SM2 keys in PEM")
struct SM2KeyPEMTests {
    @Test("a private key survives PKCS#8 PEM and still signs for the same public key")
    func privateKeyRoundTrip() throws {
        let key = try SM2PrivateKey.generate()
        let pem = key.pkcs8PEM
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        #expect(pem.hasSuffix("-----END PRIVATE KEY-----\n"))

        let reloaded = try SM2PrivateKey(pem: pem)
        #expect(reloaded.publicKey == key.publicKey)
        #expect(reloaded.pkcs8PEM == pem)
        let message = Array("round trip".utf8)
        #expect(key.publicKey.isValidSignature(try reloaded.signature(for: message), for: message))
    }

    @Test("a public key survives SubjectPublicKeyInfo PEM")
    func publicKeyRoundTrip() throws {
        let publicKey = try SM2PrivateKey.generate().publicKey
        #expect(publicKey.pem.hasPrefix("-----BEGIN PUBLIC KEY-----\n"))
        let reloaded = try SM2PublicKey(pem: publicKey.pem)
        #expect(reloaded == publicKey)
        #expect(reloaded.pem == publicKey.pem)
        #expect(reloaded.hashValue == publicKey.hashValue)
        #expect(try SM2PrivateKey.generate().publicKey != publicKey)
    }

    @Test("openssl reads a gx private key as SM2 and derives the same public key")
    func opensslReadsGXPrivateKey() throws {
        let scratch = try ScratchDirectory()
        let key = try SM2PrivateKey.generate()
        try scratch.write(key.pkcs8PEM, to: "key.pem")
        let text = try scratch.opensslSucceeding("pkey", "-in", "key.pem", "-text", "-noout").stdout
        #expect(text.contains("ASN1 OID: SM2"))
        let derived = try scratch.opensslSucceeding("pkey", "-in", "key.pem", "-pubout").stdout
        #expect(try SM2PublicKey(pem: derived) == key.publicKey)
    }

    @Test("an openssl-generated SM2 key loads and signs")
    func opensslKeyLoads() throws {
        let scratch = try ScratchDirectory()
        try scratch.opensslSucceeding("genpkey", "-algorithm", "SM2", "-out", "key.pem")
        let key = try SM2PrivateKey(pem: try scratch.readText("key.pem"))
        let message = Array("x".utf8)
        #expect(key.publicKey.isValidSignature(try key.signature(for: message), for: message))
    }

    @Test("P-256 keys are refused as not SM2", arguments: ["private", "public"])
    func p256Refused(kind: String) throws {
        let scratch = try ScratchDirectory()
        try scratch.opensslSucceeding("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "key.pem")
        try expectNotSM2(kind: kind, in: scratch)
    }

    @Test("Ed25519 keys are refused as not SM2", arguments: ["private", "public"])
    func ed25519Refused(kind: String) throws {
        let scratch = try ScratchDirectory()
        try scratch.opensslSucceeding("genpkey", "-algorithm", "ed25519", "-out", "key.pem")
        try expectNotSM2(kind: kind, in: scratch)
    }

    private func expectNotSM2(kind: String, in scratch: ScratchDirectory) throws {
        if kind == "private" {
            let pem = try scratch.readText("key.pem")
            #expect(throws: CryptoError.notSM2Key) { try SM2PrivateKey(pem: pem) }
        } else {
            let pem = try scratch.opensslSucceeding("pkey", "-in", "key.pem", "-pubout").stdout
            #expect(throws: CryptoError.notSM2Key) { try SM2PublicKey(pem: pem) }
        }
    }

    @Test("garbage is refused as an invalid key", arguments: [
        "",
        "hello",
        "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n",
        "-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n",
    ])
    func garbageRefused(text: String) {
        #expect { try SM2PrivateKey(pem: text) } throws: { isInvalidKey($0) }
        #expect { try SM2PublicKey(pem: text) } throws: { isInvalidKey($0) }
    }

    @Test("a PEM far larger than any key is refused before parsing")
    func oversizedRefused() {
        let text = String(repeating: "A", count: 1 << 20)
        let error = #expect(throws: CryptoError.self) { try SM2PublicKey(pem: text) }
        #expect(error.map { "\($0)" }?.contains("under 1 KiB") == true)
    }

    @Test("a passphrase-protected key is refused with advice, without prompting")
    func encryptedKeyRefused() throws {
        let scratch = try ScratchDirectory()
        try scratch.opensslSucceeding("genpkey", "-algorithm", "SM2", "-aes256", "-pass", "pass:secret", "-out", "key.pem")
        let pem = try scratch.readText("key.pem")
        let error = #expect(throws: CryptoError.self) { try SM2PrivateKey(pem: pem) }
        #expect(error.map { "\($0)" }?.contains("passphrase-protected") == true)
    }

    @Test("a public key passed as the private key is refused, saying so")
    func publicKeyAsPrivateRefused() throws {
        let pem = try SM2PrivateKey.generate().publicKey.pem
        let error = #expect(throws: CryptoError.self) { try SM2PrivateKey(pem: pem) }
        #expect(error.map { "\($0)" }?.contains("this is a public key") == true)
    }

    @Test("a private key passed as the public key is refused, saying so")
    func privateKeyAsPublicRefused() throws {
        let pem = try SM2PrivateKey.generate().pkcs8PEM
        let error = #expect(throws: CryptoError.self) { try SM2PublicKey(pem: pem) }
        #expect(error.map { "\($0)" }?.contains("this is a private key") == true)
    }

    private func isInvalidKey(_ error: any Error) -> Bool {
        if case .invalidKey? = error as? CryptoError { return true }
        return false
    }
}
