import GXDomain
import Testing

@Suite("Canonical record encoding")
struct CanonicalRecordTests {
    static func line(_ text: String) -> ArraySlice<UInt8> { Array(text.utf8)[...] }

    static func parse(_ text: String, _ count: Int) throws(InvalidInput) -> CanonicalRecord {
        try parse(line(text), count)
    }

    /// Parses the line, checking that reading it without making Strings (as the hub does) accepts and
    /// refuses it alike, with the same reason, and finds the same values.
    static func parse(_ line: ArraySlice<UInt8>, _ count: Int) throws(InvalidInput) -> CanonicalRecord {
        var tokens: [Int] = []
        let checked = Result { () throws(InvalidInput) in try CanonicalRecordLine(checking: line, valueCount: count, tokens: &tokens) }
        let record: CanonicalRecord
        do {
            record = try CanonicalRecord.parse(line: line, valueCount: count)
        } catch {
            #expect(throws: error) { try checked.get() }
            throw error
        }
        let line = try checked.get()
        #expect(line.operation == record.operation)
        #expect((0..<line.valueCount).map(line.value) == record.values)
        return record
    }

    @Test("a record is written as one JSON array line with RFC 8785 escapes")
    func exactBytes() {
        let record = CanonicalRecord(operation: .upsert, values: ["张三", "say \"hi\"", #"C:\dir"#, "a\tb\nc\u{1}\u{1F}", nil, "/é\u{7F}"])
        var buffer: [UInt8] = []
        record.write(into: &buffer)
        let expected = #"["u","张三","say \"hi\"","C:\\dir","a\tb\nc\u0001\u001f",null,"/é"# + "\u{7F}\"]\n"
        #expect(buffer == Array(expected.utf8))
    }

    @Test("write appends to the buffer and marks deletes with d")
    func appendsDelete() {
        var buffer = Array("x\n".utf8)
        CanonicalRecord(operation: .delete, values: ["k", nil]).write(into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == "x\n[\"d\",\"k\",null]\n")
    }

    @Test("a written record parses back to the same record")
    func roundTrip() throws {
        let records = [
            CanonicalRecord(operation: .upsert, values: ["张三", "\"\\\u{8}\u{C}\r\n\t\u{0}\u{1B}", nil, "", "😀 e\u{301}"]),
            CanonicalRecord(operation: .delete, values: [nil, nil, nil, nil, "k"]),
        ]
        for record in records {
            var buffer: [UInt8] = []
            record.write(into: &buffer)
            #expect(buffer.last == UInt8(ascii: "\n"))
            let parsed = try Self.parse(buffer.dropLast(), 5)
            #expect(parsed == record)
        }
    }

    @Test("a record of no values is just the operation")
    func noValues() throws {
        #expect(CanonicalRecord(operation: .upsert, values: []).canonicalLine == Array("[\"u\"]\n".utf8))
        #expect(try Self.parse(#"["u"]"#, 0) == CanonicalRecord(operation: .upsert, values: []))
    }

    @Test("whitespace anywhere outside strings is refused", arguments: [
        #"[ "u","a"]"#, #"["u", "a"]"#, #"["u","a" ]"#, #"["u" ,"a"]"#, #"["u","a"] "#, #"["u","a"]\#r"#,
    ])
    func refusesWhitespace(text: String) {
        let error = #expect(throws: InvalidInput.self) { try Self.parse(text, 1) }
        #expect(error?.field == "record")
        #expect(error?.record == nil)
    }

    @Test("a record with the wrong number of values is refused")
    func refusesWrongCount() {
        let fewer = #expect(throws: InvalidInput.self) { try Self.parse(#"["u","a"]"#, 2) }
        #expect(fewer?.reason == "1 values, expected 2")
        let more = #expect(throws: InvalidInput.self) { try Self.parse(#"["u","a","b","c"]"#, 2) }
        #expect(more?.reason == "more than the expected 2 values")
    }

    @Test("numbers, booleans and nested values are refused", arguments: [
        #"["u",1]"#, #"["u",true]"#, #"["u",["a"]]"#, #"["u",nul]"#, #"["u",{}]"#, #"["u",-0.5]"#,
    ])
    func refusesNonStrings(text: String) {
        let error = #expect(throws: InvalidInput.self) { try Self.parse(text, 1) }
        #expect(error?.reason.contains("not a string or null") == true)
    }

    @Test("escapes other than the ones RFC 8785 writes are refused", arguments: [
        #"\u0041"#, #"\/"#, #"\u000a"#, #"\u001F"#, #"\u0009"#, #"\u00e9"#, #"\x41"#, #"\'"#,
    ])
    func refusesNonCanonicalEscapes(escape: String) {
        let error = #expect(throws: InvalidInput.self) { try Self.parse(#"["u","a"# + escape + #""]"#, 1) }
        #expect(error?.reason.contains("escape") == true)
    }

    @Test("the canonical lowercase escape of a control character is accepted")
    func acceptsControlEscape() throws {
        #expect(try Self.parse(#"["u","\u001f\u0000"]"#, 1).values == ["\u{1F}\u{0}"])
    }

    @Test("raw control characters and invalid UTF-8 inside strings are refused")
    func refusesRawControlAndBadUTF8() {
        #expect(throws: InvalidInput.self) { try Self.parse("[\"u\",\"a\tb\"]", 1) }
        var bytes = Array(#"["u",""#.utf8)
        bytes += [0xE5, 0xBC, 0x22, 0x5D]  // a cut-off 张 then "]
        let error = #expect(throws: InvalidInput.self) { try Self.parse(bytes[...], 1) }
        #expect(error?.reason == "value 1 is not valid UTF-8")
    }

    @Test("truncated lines are refused", arguments: [
        "", "[", #"["u""#, #"["u","ab"#, #"["u","ab\"#, #"["u","a\u00"#, #"["u","a""#, #"["u",nu"#, #"["u","#,
    ])
    func refusesTruncated(text: String) {
        #expect(throws: InvalidInput.self) { try Self.parse(text, 1) }
    }

    @Test("operations other than u and d are refused")
    func refusesUnknownOperation() {
        let error = #expect(throws: InvalidInput.self) { try Self.parse(#"["x","a"]"#, 1) }
        #expect(error?.reason == "the operation must be \"u\" or \"d\"")
        #expect(throws: InvalidInput.self) { try Self.parse(#"[null,"a"]"#, 1) }
    }
    @Test("writing a record can measure its leading values as they stand in the line: a verification's key")
    func measuresLeadingValues() {
        let record = CanonicalRecord(operation: .upsert, values: ["11010519491231002X", "张\"三", nil, "1949-12-31"])
        for leading in 1...4 {
            var line: [UInt8] = [9, 9]  // what the buffer held before is not counted
            let length = record.write(into: &line, measuringLeading: leading)
            var alone: [UInt8] = []
            CanonicalRecord(operation: .upsert, values: Array(record.values.prefix(leading))).write(into: &alone)
            #expect(Array(line.dropFirst(2)) == record.canonicalLine)
            // The leading values alone are written as the line writes them: less `["u",` and `]\n`.
            #expect(Array(line[(2 + 5)..<(2 + 5 + length)]) == Array(alone.dropFirst(5).dropLast(2)), "leading \(leading)")
        }
    }
}
