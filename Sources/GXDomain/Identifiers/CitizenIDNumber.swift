/// 公民身份号码, GB 11643-1999: 6-digit area code, 8-digit birth date `YYYYMMDD`, 3-digit
/// sequence (odd for men), and a check character over the first 17 (ISO 7064 MOD 11-2).
///
/// The check character must be an uppercase `X`: the standard writes it so, and an exchange key
/// that arrives as both `…001x` and `…001X` would match two different records downstream.
/// Lowercase `x` is rejected with a message saying so; agents should upper-case when mapping.
///
/// The area code is only required to be six digits not starting with 0: codes of abolished
/// divisions stay valid on old cards, and the same format serves residence permits for Hong Kong,
/// Macao and Taiwan residents (81, 82, 83) and foreigners' permanent residence cards (9).
/// The birth date must be a real Gregorian date from 1800 on; that it is not in the future is
/// left to callers, because the domain has no clock.
public enum CitizenIDNumber {
    static let weights: [Int] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    /// Check character for R = Σ(digit × weight) mod 11.
    static let checkCharacters: [UInt8] = Array("10X98765432".utf8)
    static let earliestBirthYear = 1800

    public static func validate(_ value: some StringProtocol) throws(IdentifierViolation) {
        if let violation = violation(of: value) { throw violation }
    }

    /// `nil` when `value` is valid.
    public static func violation(of value: some StringProtocol) -> IdentifierViolation? {
        IdentifierText.withUTF8(value) { violation(utf8: $0) }
    }

    public static func violation(utf8 bytes: UnsafeBufferPointer<UInt8>) -> IdentifierViolation? {
        guard bytes.count == 18 else {
            return IdentifierText.lengthViolation(
                .citizenID, expected: "18 characters", in: bytes,
                allowed: { IdentifierText.isDigit($0) || $0 == UInt8(ascii: "X") },
                reason: { $0 == UInt8(ascii: "x") ? "the check character is written as uppercase X" : "only digits and a final X" }
            )
        }
        var sum = 0
        for index in 0..<17 {
            let byte = bytes[index]
            guard IdentifierText.isDigit(byte) else {
                return IdentifierText.charsetViolation(.citizenID, at: index, in: bytes, "positions 1–17 are digits")
            }
            sum &+= Int(byte &- 0x30) &* weights[index]
        }
        let last = bytes[17]
        if last == UInt8(ascii: "x") {
            return IdentifierViolation(kind: .citizenID, rule: "check character: lowercase x is not allowed, GB 11643 writes it as uppercase X")
        }
        guard IdentifierText.isDigit(last) || last == UInt8(ascii: "X") else {
            return IdentifierText.charsetViolation(.citizenID, at: 17, in: bytes, "the check character is a digit or X")
        }
        if bytes[0] == UInt8(ascii: "0") {
            return IdentifierViolation(kind: .citizenID, rule: "area code: \(IdentifierText.text(bytes, 0..<6)) is not valid (area codes do not start with 0)")
        }
        if birthDateComponents(bytes) == nil {
            let text = IdentifierText.text(bytes, 6..<14)
            let year = Int(text.prefix(4)) ?? 0
            let rule = year < earliestBirthYear && year > 0 && isCalendarDate(bytes, yearFloor: 1)
                ? "birth date: \(text) is before \(earliestBirthYear)"
                : "birth date: \(text) is not a valid date"
            return IdentifierViolation(kind: .citizenID, rule: rule)
        }
        let expected = checkCharacters[sum % 11]
        guard expected == last else {
            return IdentifierViolation(
                kind: .citizenID,
                rule: "check character: expected \(Character(Unicode.Scalar(expected))), got \(Character(Unicode.Scalar(last)))"
            )
        }
        return nil
    }

    /// The check character that completes `first17` digits, or `nil` if they are not 17 ASCII digits.
    public static func checkCharacter(forFirst17 first17: some StringProtocol) -> Character? {
        IdentifierText.withUTF8(first17) { bytes -> Character? in
            guard bytes.count == 17 else { return nil }
            var sum = 0
            for index in 0..<17 {
                guard IdentifierText.isDigit(bytes[index]) else { return nil }
                sum += Int(bytes[index] - 0x30) * weights[index]
            }
            return Character(Unicode.Scalar(checkCharacters[sum % 11]))
        }
    }

    /// Year, month, day from positions 7–14 when they form a real date from 1800 on.
    static func birthDateComponents(_ bytes: UnsafeBufferPointer<UInt8>) -> (year: Int, month: Int, day: Int)? {
        guard isCalendarDate(bytes, yearFloor: earliestBirthYear) else { return nil }
        return (number(bytes, 6..<10), number(bytes, 10..<12), number(bytes, 12..<14))
    }

    static func isCalendarDate(_ bytes: UnsafeBufferPointer<UInt8>, yearFloor: Int) -> Bool {
        guard bytes.count >= 14 else { return false }
        for index in 6..<14 where !IdentifierText.isDigit(bytes[index]) { return false }
        let year = number(bytes, 6..<10), month = number(bytes, 10..<12), day = number(bytes, 12..<14)
        guard year >= yearFloor, (1...12).contains(month), day >= 1 else { return false }
        return day <= daysIn(month: month, year: year)
    }

    @inline(__always)
    static func number(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int {
        var value = 0
        for index in range { value = value &* 10 &+ Int(bytes[index] &- 0x30) }
        return value
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
