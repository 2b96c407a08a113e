import GXDomain
import Testing

@Suite("Splitting a record stream into lines")
struct CanonicalRecordSplitterTests {
    static func records(_ count: Int) -> [CanonicalRecord] {
        (0..<count).map { index in
            CanonicalRecord(operation: index % 7 == 0 ? .delete : .upsert,
                            values: ["键\(index)", index % 3 == 0 ? nil : String(repeating: "值\"\\", count: index % 11)])
        }
    }

    @Test("lines split across arbitrary chunk boundaries come out whole and in order")
    func randomChunks() throws {
        let records = Self.records(500)
        var stream: [UInt8] = []
        for record in records { record.write(into: &stream) }
        var generator = SystemRandomNumberGenerator()
        for round in 0..<20 {
            var splitter = CanonicalRecordSplitter()
            var parsed: [CanonicalRecord] = []
            var offset = 0
            while offset < stream.count {
                let size = round == 0 ? 1 : Int.random(in: 1...200, using: &generator)
                let end = min(stream.count, offset + size)
                // Alternate the collection types the splitter is fed.
                if round % 2 == 0 {
                    try splitter.append(stream[offset..<end]) { parsed.append(try CanonicalRecord.parse(line: $0, valueCount: 2)) }
                } else {
                    try splitter.append(Array(stream[offset..<end]).lazy.map { $0 }) {
                        parsed.append(try CanonicalRecord.parse(line: $0, valueCount: 2))
                    }
                }
                offset = end
            }
            try splitter.finish()
            #expect(parsed == records, "round \(round)")
        }
    }

    @Test("a whole stream in one chunk gives every line without the newline")
    func oneChunk() throws {
        var splitter = CanonicalRecordSplitter()
        var lines: [String] = []
        try splitter.append(Array("a\nbc\n\nd\n".utf8)) { lines.append(String(decoding: $0, as: UTF8.self)) }
        try splitter.finish()
        #expect(lines == ["a", "bc", "", "d"])
        #expect(splitter.lineCount == 4)
    }

    @Test("a stream that ends without a final newline is reported as truncated")
    func missingFinalNewline() throws {
        var splitter = CanonicalRecordSplitter()
        var lines = 0
        try splitter.append(Array("[\"u\"]\n[\"u\"".utf8)) { _ in lines += 1 }
        #expect(lines == 1)
        let error = #expect(throws: InvalidInput.self) { try splitter.finish() }
        #expect(error?.field == "record")
        #expect(error?.reason == "the stream ends inside line 2: 4 bytes without a final newline (truncated)")
    }

    @Test("a line longer than the maximum is refused even before its newline arrives")
    func overlongLine() throws {
        var splitter = CanonicalRecordSplitter(maximumLineLength: 8)
        try splitter.append(Array("12345678\n1234".utf8)) { _ in }
        let error = #expect(throws: InvalidInput.self) { try splitter.append(Array("56789".utf8)) { _ in } }
        #expect(error?.reason == "line 2 is longer than 8 bytes")
    }

    @Test("errors thrown by the line handler pass through unchanged")
    func handlerErrors() {
        struct Stop: Error {}
        var splitter = CanonicalRecordSplitter()
        #expect(throws: Stop.self) { try splitter.append(Array("a\n".utf8)) { _ in throw Stop() } }
    }
}
