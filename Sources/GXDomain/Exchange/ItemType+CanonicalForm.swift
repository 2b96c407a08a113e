/// The canonical text form of each item type, the only form a value may take inside a batch, so that
/// equal values are equal bytes (and equal SM3s) at every agency:
///
/// - `string`: any text without control characters U+0000–U+001F.
/// - `integer`: `-?(0|[1-9][0-9]*)`, and not `-0`.
/// - `decimal`: `-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?` — no leading or trailing zeros, no `+`, no exponent,
///   and not `-0`; `1234.50` is written `1234.5`.
/// - `date`: `YYYY-MM-DD`, a real Gregorian date, year 0001–9999.
/// - `datetime`: `YYYY-MM-DDTHH:MM:SS`, a real date and time of day (Beijing time, no offset, no fraction).
/// - `code`: a key of the item's code table (checked by ``RecordValidator``, which knows the table).
extension ItemType {
    /// The rule a value breaks, or `nil` when it has this type's canonical form.
    public func formViolation(_ value: some StringProtocol) -> String? {
        IdentifierText.withUTF8(value) { formViolation(utf8: $0) }
    }

    /// The same check over raw UTF-8; allocates only for the returned rule.
    public func formViolation(utf8 bytes: UnsafeBufferPointer<UInt8>) -> String? {
        switch self {
        case .string, .code:
            guard let index = bytes.firstIndex(where: { $0 < 0x20 }) else { return nil }
            return "contains the control character \(IdentifierText.character(at: index, in: bytes))"
        case .integer:
            return CanonicalForm.isInteger(bytes) ? nil : "not an integer (digits without leading zeros, optional '-')"
        case .decimal:
            return CanonicalForm.isDecimal(bytes) ? nil : "not a decimal (such as 1234.5: no leading or trailing zeros, no '+' or exponent)"
        case .date:
            return CanonicalForm.isDate(bytes) ? nil : "not a date (YYYY-MM-DD)"
        case .datetime:
            return CanonicalForm.isDateTime(bytes) ? nil : "not a date and time (YYYY-MM-DDTHH:MM:SS)"
        }
    }
}

/// Byte-level recognisers for the canonical forms above.
enum CanonicalForm {
    /// Length of the `-?(0|[1-9][0-9]*)` prefix of `bytes`, or `nil` when there is none.
    @inline(__always)
    static func integerPrefix(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var index = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, IdentifierText.isDigit(bytes[index]) else { return nil }
        if bytes[index] == UInt8(ascii: "0") { return index + 1 }
        index += 1
        while index < bytes.count, IdentifierText.isDigit(bytes[index]) { index += 1 }
        return index
    }

    static func isInteger(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let end = integerPrefix(bytes), end == bytes.count else { return false }
        return !isNegativeZero(bytes, end)
    }

    static func isDecimal(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let end = integerPrefix(bytes) else { return false }
        if end == bytes.count { return !isNegativeZero(bytes, end) }
        guard bytes[end] == UInt8(ascii: "."), end + 1 < bytes.count, bytes[bytes.count - 1] != UInt8(ascii: "0") else { return false }
        for index in (end + 1)..<bytes.count where !IdentifierText.isDigit(bytes[index]) { return false }
        return true
    }

    /// `-0` as a whole integer part with no fraction: zero has one form, `0`.
    @inline(__always)
    static func isNegativeZero(_ bytes: UnsafeBufferPointer<UInt8>, _ end: Int) -> Bool {
        end == 2 && bytes[0] == UInt8(ascii: "-")
    }

    static func isDate(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.count == 10 && isDate(bytes, at: 0)
    }

    static func isDateTime(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.count == 19 && isDate(bytes, at: 0) && bytes[10] == UInt8(ascii: "T") && isTime(bytes, at: 11)
    }

    /// `YYYY-MM-DD` at `start`, a real date.
    static func isDate(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        guard bytes[start + 4] == UInt8(ascii: "-"), bytes[start + 7] == UInt8(ascii: "-"),
              let year = number(bytes, start, 4), let month = number(bytes, start + 5, 2), let day = number(bytes, start + 8, 2)
        else { return false }
        return isRealDate(year: year, month: month, day: day)
    }

    /// `HH:MM:SS` at `start`, a real time of day (no leap second).
    static func isTime(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        guard bytes[start + 2] == UInt8(ascii: ":"), bytes[start + 5] == UInt8(ascii: ":"),
              let hour = number(bytes, start, 2), let minute = number(bytes, start + 3, 2), let second = number(bytes, start + 6, 2)
        else { return false }
        return hour < 24 && minute < 60 && second < 60
    }

    static func isRealDate(year: Int, month: Int, day: Int) -> Bool {
        year >= 1 && year <= 9999 && (1...12).contains(month) && day >= 1 && day <= CalendarDate.daysIn(month: month, year: year)
    }

    /// The value of `count` ASCII digits at `start`, or `nil` if any is not a digit.
    @inline(__always)
    static func number(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> Int? {
        var value = 0
        for index in start..<(start + count) {
            let byte = bytes[index]
            guard IdentifierText.isDigit(byte) else { return nil }
            value = value &* 10 &+ Int(byte &- 0x30)
        }
        return value
    }
}
