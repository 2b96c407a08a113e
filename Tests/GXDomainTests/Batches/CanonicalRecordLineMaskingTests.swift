import GXDomain
import Testing

@Suite("Masking a checked record line")
struct CanonicalRecordLineMaskingTests {
    @Test("masking the tokens of a checked line gives the bytes of the masked record, escapes included")
    func sameAsRecord() throws {
        let record = CanonicalRecord(operation: .upsert, values: ["110105199001010123", "张\"三\"\\丰\n", "1990-01-31", nil, "x"])
        let bytes = record.canonicalLine
        var tokens: [Int] = []
        let line = try CanonicalRecordLine(checking: bytes[0..<(bytes.count - 1)], valueCount: 5, tokens: &tokens)
        let masks: [ItemMask?] = [.keep(head: 6, tail: 4), .keep(head: 1, tail: 2), .year, .year, nil]
        let indices: [Int?] = [0, 1, 2, 3, 4]
        var out: [UInt8] = []
        line.write(projecting: indices, masking: masks, into: &out)
        let expected = CanonicalRecord(operation: .upsert, values: ["110105********0123", "张****丰\n", "1990", nil, "x"])
        #expect(out == expected.canonicalLine)
        #expect(!String(decoding: out, as: UTF8.self).contains("199001010"))
    }
}
