extension CanonicalRecord {
    /// Parses one line (without its `"\n"`). Refuses anything that is not exactly the canonical encoding
    /// (extra whitespace, non-canonical escapes, wrong value count, non-string values) so that the SM3 of
    /// the bytes is unambiguous: a line is accepted only if ``write(into:)`` of the result gives it back.
    ///
    /// Error: `InvalidInput(field: "record", reason: <what is wrong>, record: nil)`; the caller knows the
    /// batch and line number and adds them.
    public static func parse(line: ArraySlice<UInt8>, valueCount: Int) throws(InvalidInput) -> CanonicalRecord {
        try CanonicalRecordParser.reading(line) { parser throws(InvalidInput) in try parser.record(valueCount: valueCount) }
    }
}

/// The strict reader behind ``CanonicalRecord/parse(line:valueCount:)``: a cursor over the line's bytes
/// that accepts only what the writer produces.
struct CanonicalRecordParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    /// Reused for values holding escapes, so only the final `String` is allocated per value.
    var scratch: [UInt8] = []

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Runs `body` with a parser over `line`.
    static func reading<T>(_ line: ArraySlice<UInt8>, _ body: (inout CanonicalRecordParser) throws(InvalidInput) -> T) throws(InvalidInput) -> T {
        let result: Result<T, InvalidInput> = line.withUnsafeBufferPointer { bytes in
            var parser = CanonicalRecordParser(bytes: bytes)
            do throws(InvalidInput) {
                return .success(try body(&parser))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    mutating func record(valueCount: Int) throws(InvalidInput) -> CanonicalRecord {
        var values: [String?] = []
        values.reserveCapacity(valueCount)
        let operation = try walk(valueCount: valueCount) { parser, number throws(InvalidInput) in
            values.append(try parser.isString(number: number) ? try parser.string(number: number) : nil)
        }
        return CanonicalRecord(operation: operation, values: values)
    }

    /// Checks the line as strictly as `record` does, without making a `String` of any value: replaces
    /// `tokens` with where each value's token lies (value `n`'s from offset `tokens[2n]` to `tokens[2n + 1]`)
    /// and returns the operation.
    mutating func scan(valueCount: Int, tokens: inout [Int]) throws(InvalidInput) -> RecordOperation {
        tokens.removeAll(keepingCapacity: true)
        return try walk(valueCount: valueCount) { parser, number throws(InvalidInput) in
            tokens.append(parser.index)
            if try parser.isString(number: number) { try parser.skipString(number: number) }
            tokens.append(parser.index)
        }
    }

    /// The record's frame — `[`, the operation, `valueCount` values each read by `value`, `]` — refusing
    /// anything around the values that the writer would not produce.
    private mutating func walk(valueCount: Int, _ value: (inout CanonicalRecordParser, Int) throws(InvalidInput) -> Void) throws(InvalidInput) -> RecordOperation {
        try expect(UInt8(ascii: "["), "the record must start with '['")
        let operation: RecordOperation
        if index + 3 <= bytes.count, bytes[index] == UInt8(ascii: "\""), bytes[index + 2] == UInt8(ascii: "\"") {
            switch bytes[index + 1] {
            case UInt8(ascii: "u"): operation = .upsert
            case UInt8(ascii: "d"): operation = .delete
            default: throw failure("the operation must be \"u\" or \"d\"")
            }
            index += 3
        } else {
            throw failure("the record must start with the operation \"u\" or \"d\"")
        }
        var count = 0
        while true {
            guard index < bytes.count else { throw failure("truncated after \(count) values: no closing ']'") }
            let byte = bytes[index]
            if byte == UInt8(ascii: "]") {
                index += 1
                break
            }
            guard byte == UInt8(ascii: ",") else {
                throw failure("unexpected \(describe(byte)) at byte \(index + 1), expected ',' or ']'")
            }
            index += 1
            guard count < valueCount else {
                throw failure("more than the expected \(valueCount) values")
            }
            count += 1
            try value(&self, count)
        }
        guard index == bytes.count else {
            throw failure("unexpected \(describe(bytes[index])) at byte \(index + 1) after the closing ']'")
        }
        guard count == valueCount else {
            throw failure("\(count) values, expected \(valueCount)")
        }
        return operation
    }

    /// Reads the start of value `number`: true after an opening quote, false after `null`; anything else
    /// (numbers, booleans, nested arrays, whitespace) is refused.
    mutating func isString(number: Int) throws(InvalidInput) -> Bool {
        guard index < bytes.count else { throw failure("truncated: value \(number) is missing") }
        switch bytes[index] {
        case UInt8(ascii: "\""):
            index += 1
            return true
        case UInt8(ascii: "n"):
            let null = CanonicalRecord.nullBytes
            guard index + null.count <= bytes.count,
                  bytes[index] == null[0], bytes[index + 1] == null[1], bytes[index + 2] == null[2], bytes[index + 3] == null[3]
            else { throw failure("value \(number) is not a string or null") }
            index += null.count
            return false
        case let byte:
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                throw failure("unexpected whitespace at byte \(index + 1) (the canonical encoding has none)")
            }
            throw failure("value \(number) is not a string or null")
        }
    }

    /// `string(number:)` without the `String`: the same checks, in the same order. Escapes stand for ASCII
    /// characters only, so the raw bytes are valid UTF-8 exactly when the decoded ones are.
    mutating func skipString(number: Int) throws(InvalidInput) {
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                guard UTF8Validation.isValid(UnsafeBufferPointer(rebasing: bytes[start..<index])) else {
                    throw failure("value \(number) is not valid UTF-8")
                }
                index += 1
                return
            }
            if byte == UInt8(ascii: "\\") {
                _ = try escape(number: number)
                continue
            }
            guard byte >= 0x20 else { throw failure("value \(number) holds an unescaped control character \(describe(byte))") }
            index += 1
        }
        throw failure("truncated: value \(number) has no closing quote")
    }

    /// The body of a string after its opening quote, up to and including the closing quote.
    mutating func string(number: Int) throws(InvalidInput) -> String {
        let start = index
        // Fast path: most values hold no escapes and are decoded straight from the line.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = UnsafeBufferPointer(rebasing: bytes[start..<index])
                index += 1
                guard let value = String(strictUTF8: text) else {
                    throw failure("value \(number) is not valid UTF-8")
                }
                return value
            }
            if byte == UInt8(ascii: "\\") { break }
            guard byte >= 0x20 else { throw failure("value \(number) holds an unescaped control character \(describe(byte))") }
            index += 1
        }
        guard index < bytes.count else { throw failure("truncated: value \(number) has no closing quote") }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                guard let value = scratch.withUnsafeBufferPointer({ String(strictUTF8: $0) }) else {
                    throw failure("value \(number) is not valid UTF-8")
                }
                return value
            }
            if byte == UInt8(ascii: "\\") {
                scratch.append(try escape(number: number))
                continue
            }
            guard byte >= 0x20 else { throw failure("value \(number) holds an unescaped control character \(describe(byte))") }
            scratch.append(byte)
            index += 1
        }
        throw failure("truncated: value \(number) has no closing quote")
    }

    /// One escape at `index` (the backslash), in the only form RFC 8785 writes for that character.
    mutating func escape(number: Int) throws(InvalidInput) -> UInt8 {
        guard index + 1 < bytes.count else { throw failure("truncated: value \(number) ends inside an escape") }
        let letter = bytes[index + 1]
        let decoded: UInt8
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): decoded = letter
        case UInt8(ascii: "b"): decoded = 0x08
        case UInt8(ascii: "t"): decoded = 0x09
        case UInt8(ascii: "n"): decoded = 0x0A
        case UInt8(ascii: "f"): decoded = 0x0C
        case UInt8(ascii: "r"): decoded = 0x0D
        case UInt8(ascii: "u"):
            guard index + 6 <= bytes.count else { throw failure("truncated: value \(number) ends inside an escape") }
            let written = String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<(index + 6)]), as: UTF8.self)
            guard bytes[index + 2] == UInt8(ascii: "0"), bytes[index + 3] == UInt8(ascii: "0"),
                  let high = Self.lowercaseHex(bytes[index + 4]), high < 2,
                  let low = Self.lowercaseHex(bytes[index + 5])
            else {
                throw failure("value \(number) holds the non-canonical escape \(written) (only control characters are escaped, as \\u00xx in lowercase)")
            }
            let control = high << 4 | low
            if [0x08, 0x09, 0x0A, 0x0C, 0x0D].contains(control) {
                throw failure("value \(number) holds the non-canonical escape \(written) (this character has a short escape)")
            }
            index += 6
            return control
        default:
            throw failure("value \(number) holds the invalid or non-canonical escape \\\(describeRaw(letter))")
        }
        index += 2
        return decoded
    }

    mutating func expect(_ byte: UInt8, _ reason: String) throws(InvalidInput) {
        guard index < bytes.count, bytes[index] == byte else { throw failure(reason) }
        index += 1
    }

    func failure(_ reason: String) -> InvalidInput {
        InvalidInput(field: "record", reason: reason, record: nil)
    }

    /// A byte as a person reads it in an error message.
    func describe(_ byte: UInt8) -> String {
        switch byte {
        case 0x20: "a space"
        case 0x21..<0x7F: "'\(Character(Unicode.Scalar(byte)))'"
        default: "byte 0x" + IdentifierText.hex(UInt32(byte), width: 2)
        }
    }

    func describeRaw(_ byte: UInt8) -> String {
        (0x21..<0x7F).contains(byte) ? String(Character(Unicode.Scalar(byte))) : "(byte 0x" + IdentifierText.hex(UInt32(byte), width: 2) + ")"
    }

    @inline(__always)
    static func lowercaseHex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
