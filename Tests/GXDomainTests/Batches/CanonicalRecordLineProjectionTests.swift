import GXDomain
import Testing

@Suite("Projecting a batch record into a delivery by copying its values' bytes")
struct CanonicalRecordLineProjectionTests {
    /// Values that exercise every token form: escapes, control characters, non-ASCII, empty and null.
    static let records = [
        CanonicalRecord(operation: .upsert, values: ["110101199003070011", "张\"三\"", nil, "a\\b\n\tc\u{1}", "", "北京市东城区"]),
        CanonicalRecord(operation: .delete, values: ["110101199003070022", nil, nil, nil, nil, nil]),
        CanonicalRecord(operation: .upsert, values: ["x", "y", "z", "😀", "\u{7F}", "/"]),
    ]

    /// Each record as the consumer would receive it: copied tokens must equal encoding the projected values.
    @Test("copied tokens give the same line as encoding the agreed values, for any order and absent items",
          arguments: [[0, 1, 2, 3, 4, 5], [5, 3, 0], [nil, 2, nil], [4], [] as [Int?]])
    func copiedEqualsEncoded(indices: [Int?]) throws {
        var payload: [UInt8] = []
        for record in Self.records { record.write(into: &payload) }
        let encoder = try BatchPayloadEncoder()
        try encoder.append(encodedLines: payload, upserts: 2, deletes: 1)
        try encoder.finish()
        let wire = encoder.takeWire()

        let decoder = try BatchPayloadDecoder(valueCount: 6, maximumRecordBytes: 1 << 20)
        var copied: [UInt8] = [], encoded: [UInt8] = []
        try wire.withUnsafeBytes { wire in
            try decoder.consumeLines(wire) { line, _ in
                line.write(projecting: indices, into: &copied)
                let record = try CanonicalRecord.parse(line: line.bytes, valueCount: 6)
                CanonicalRecord(operation: record.operation, values: indices.map { $0.map { record.values[$0] } ?? nil }).write(into: &encoded)
            }
        }
        #expect(decoder.counts.records == 3)
        #expect(String(decoding: copied, as: UTF8.self) == String(decoding: encoded, as: UTF8.self))
        #expect(copied == encoded)
    }
}
