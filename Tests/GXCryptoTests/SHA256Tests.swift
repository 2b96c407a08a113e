import GXCrypto
import Testing

@Suite("SHA-256 for agent-local snapshots")
struct SHA256Tests {
    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String($0, radix: 16).leftPadding(to: 2) }.joined() }

    @Test("the FIPS 180-2 test vectors digest as published")
    func publishedVectors() {
        #expect(Self.hex(SHA256.digest(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Self.hex(SHA256.digest([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}

private extension String {
    func leftPadding(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
