import Testing
@testable import GXAgent

@Suite("The staged keys' hashes a consumer checks for repeats")
struct StagedKeyHashesTests {
    @Test("20 000 distinct keys are all new through many growths, and each comes back as seen")
    func distinctThenRepeated() {
        var hashes = StagedKeyHashes(capacity: 0)
        let keys = (0..<20_000).map { StagedKeyHashes.combine([PostgresStagedChanges.keyPart("1101011990\(String(format: "%08d", $0))")]) }
        #expect(Set(keys).count == keys.count, "distinct keys should hash apart")
        #expect(keys.allSatisfy { hashes.insert($0) })
        #expect(keys.allSatisfy { !hashes.insert($0) })
    }

    @Test("a key column hashes the same from its String as from its UTF-8 bytes, at every length across the eight-byte words")
    func stringAndBytesAgree() {
        for length in 0...25 {
            let text = String(repeating: "张", count: length / 3) + String(repeating: "x", count: length % 3)
            let fromBytes = Array(text.utf8).withUnsafeBytes { StagedKeyHashes.part($0) }
            #expect(PostgresStagedChanges.keyPart(text) == fromBytes)
        }
    }

    @Test("keys differing in one byte, or only in how they split into columns, hash apart")
    func nearKeysDiffer() {
        let one = StagedKeyHashes.combine([PostgresStagedChanges.keyPart("ab"), PostgresStagedChanges.keyPart("c")])
        let other = StagedKeyHashes.combine([PostgresStagedChanges.keyPart("a"), PostgresStagedChanges.keyPart("bc")])
        #expect(one != other)
        #expect(PostgresStagedChanges.keyPart("110101199001010011") != PostgresStagedChanges.keyPart("110101199001010012"))
        #expect(PostgresStagedChanges.keyPart("") != PostgresStagedChanges.keyPart("\u{0}"))
    }
}
