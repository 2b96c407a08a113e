import Testing
import GXCrypto

@Suite("SM2 signatures")
struct SM2SignatureTests {
    @Test("a signature verifies with the signer's public key")
    func signThenVerify() throws {
        let key = try SM2PrivateKey.generate()
        let message = Array("manifest".utf8)
        #expect(key.publicKey.isValidSignature(try key.signature(for: message), for: message))
    }

    @Test("the empty message can be signed and verified")
    func emptyMessage() throws {
        let key = try SM2PrivateKey.generate()
        #expect(key.publicKey.isValidSignature(try key.signature(for: []), for: []))
    }

    @Test("another key's signature is refused")
    func wrongKeyRefused() throws {
        let signer = try SM2PrivateKey.generate(), other = try SM2PrivateKey.generate()
        let message = Array("receipt".utf8)
        #expect(!other.publicKey.isValidSignature(try signer.signature(for: message), for: message))
    }

    @Test("malformed signatures are invalid, not errors")
    func malformedSignaturesInvalid() throws {
        let key = try SM2PrivateKey.generate()
        let message = Array("manifest".utf8)
        let good = try key.signature(for: message)
        #expect(!key.publicKey.isValidSignature([], for: message))
        #expect(!key.publicKey.isValidSignature([0x30, 0x00], for: message))
        #expect(!key.publicKey.isValidSignature(Array(good.dropLast()), for: message))
        // DER with a trailing byte must not count as a second encoding of the same signature.
        #expect(!key.publicKey.isValidSignature(good + [0x00], for: message))
        #expect(!key.publicKey.isValidSignature([UInt8](repeating: 0xFF, count: 4096), for: message))
    }

    @Test("signatures are DER ECDSA_SIG sequences of at most 72 bytes")
    func signatureIsDER() throws {
        let key = try SM2PrivateKey.generate()
        for index in 0..<20 {
            let signature = try key.signature(for: [UInt8(index)])
            #expect(signature.first == 0x30)
            #expect(Int(signature[1]) == signature.count - 2)
            #expect(signature.count <= 72)
        }
    }

    @Test("one key signs and verifies from many tasks at once")
    func concurrentUse() async throws {
        let key = try SM2PrivateKey.generate()
        let publicKey = key.publicKey
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for round in 0..<50 {
                        let message = Array("task \(task) round \(round)".utf8)
                        guard publicKey.isValidSignature(try key.signature(for: message), for: message) else { return false }
                    }
                    return true
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results == Array(repeating: true, count: 8))
    }
}
