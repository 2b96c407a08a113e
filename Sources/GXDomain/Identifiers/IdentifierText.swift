/// Byte-level helpers shared by the validators.
///
/// The checks run over UTF-8 bytes so that validating millions of values allocates nothing; the
/// slower work of describing a bad character (decoding it, counting its position) happens only
/// once a violation is certain.
enum IdentifierText {
    /// Runs `body` over the value's UTF-8 without copying it; native strings and substrings are
    /// always contiguous, so the copy below only serves exotic `StringProtocol` types.
    @inline(__always)
    static func withUTF8<R>(_ value: some StringProtocol, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = value.utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = String(value)
        copy.makeContiguousUTF8()
        return copy.utf8.withContiguousStorageIfAvailable(body)!
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }

    @inline(__always)
    static func isUppercaseLetter(_ byte: UInt8) -> Bool { byte &- 0x41 < 26 }

    @inline(__always)
    static func isLowercaseLetter(_ byte: UInt8) -> Bool { byte &- 0x61 < 26 }

    /// Characters as a person counts them (Unicode scalars), not bytes.
    static func characterCount(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var count = 0
        for byte in bytes where byte & 0xC0 != 0x80 { count += 1 }
        return count
    }

    /// 1-based position of the character starting at `index`, as shown to people.
    static func position(ofByte index: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        characterCount(UnsafeBufferPointer(rebasing: bytes[..<index])) + 1
    }

    /// The character starting at `index`, quoted when it is visible and as U+XXXX when it is not
    /// (a quoted space or tab would read as nothing at all).
    static func character(at index: Int, in bytes: UnsafeBufferPointer<UInt8>) -> String {
        var iterator = bytes[index...].makeIterator()
        var decoder = UTF8()
        guard case .scalarValue(let scalar) = decoder.decode(&iterator) else {
            return "byte 0x" + hex(UInt32(bytes[index]), width: 2) + " (not UTF-8)"
        }
        switch scalar.properties.generalCategory {
        case .control, .format, .spaceSeparator, .lineSeparator, .paragraphSeparator,
             .surrogate, .privateUse, .unassigned:
            return "U+" + hex(scalar.value, width: 4)
        default:
            return "'" + String(Character(scalar)) + "'"
        }
    }

    static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// The text of the bytes in `range`, for quoting a part of the value (a date, a province).
    static func text(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    static func charsetViolation(
        _ kind: IdentifierKind, at index: Int, in bytes: UnsafeBufferPointer<UInt8>, _ reason: String
    ) -> IdentifierViolation {
        IdentifierViolation(
            kind: kind,
            rule: "charset: \(character(at: index, in: bytes)) at position \(position(ofByte: index, in: bytes)) is not allowed (\(reason))"
        )
    }

    /// A wrong-length value usually also holds a stray character (a space, a full-width digit, a
    /// hyphen); naming that character helps more than a count, so it is reported first.
    static func lengthViolation(
        _ kind: IdentifierKind, expected: String, in bytes: UnsafeBufferPointer<UInt8>,
        allowed: (UInt8) -> Bool, reason: (UInt8) -> String
    ) -> IdentifierViolation {
        if let index = bytes.firstIndex(where: { !allowed($0) }) {
            return charsetViolation(kind, at: index, in: bytes, reason(bytes[index]))
        }
        return IdentifierViolation(kind: kind, rule: "length: expected \(expected), got \(characterCount(bytes))")
    }
}
