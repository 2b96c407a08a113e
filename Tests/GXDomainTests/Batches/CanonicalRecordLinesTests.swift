import GXDomain
import Testing

@Suite("Checked record lines kept past their decoder's buffer")
struct CanonicalRecordLinesTests {
    static let records = [
        CanonicalRecord(operation: .upsert, values: ["110101199003070011", "张\"三\"", nil, "a\\b\n\tc\u{1}"]),
        CanonicalRecord(operation: .delete, values: ["110101199003070022", nil, nil, nil]),
        CanonicalRecord(operation: .upsert, values: ["x", "", "😀", "北京市东城区"]),
    ]

    /// The records through a payload and a decoder, each line kept as it was checked.
    static func kept() throws -> CanonicalRecordLines {
        let encoder = try BatchPayloadEncoder()
        for record in records { try encoder.append(record) }
        try encoder.finish()
        let wire = encoder.takeWire()
        let decoder = try BatchPayloadDecoder(valueCount: 4, maximumRecordBytes: 1 << 20)
        var lines = CanonicalRecordLines(valueCount: 4)
        try wire.withUnsafeBytes { raw in try decoder.consumeLines(raw) { line, _ in lines.append(line) } }
        _ = try decoder.finish()
        return lines
    }

    @Test("each kept line gives back its operation, values, tokens and bytes after the decoder has moved on")
    func sameLines() throws {
        let lines = try Self.kept()
        #expect(lines.count == 3)
        for (index, record) in Self.records.enumerated() {
            let line = lines[index]
            var expected: [UInt8] = []
            record.write(into: &expected)
            #expect(Array(line.bytes) + [UInt8(ascii: "\n")] == expected)
            #expect(line.operation == record.operation)
            #expect((0..<4).map { line.value($0) } == record.values)
            var tokens: [Int] = []
            let checked = try CanonicalRecordLine(checking: line.bytes, valueCount: 4, tokens: &tokens)
            #expect((0..<4).map { Array(checked.token($0)) } == (0..<4).map { Array(line.token($0)) })
        }
    }

    @Test("emptied lines keep nothing of the lines before")
    func removeAll() throws {
        var lines = try Self.kept()
        lines.removeAll()
        #expect(lines.count == 0)
        #expect(lines.byteCount == 0)
    }
}
