/// 组织机构代码, GB 11714: an 8-character body of digits and uppercase letters, then a check
/// character (0–9 or X), conventionally written `71610585-2`; the compact `716105852` (as it
/// appears inside a 统一社会信用代码) is accepted too.
public enum OrganizationCode {
    static let weights: [Int] = [3, 7, 9, 10, 5, 8, 4, 2]

    public static func validate(_ value: some StringProtocol) throws(IdentifierViolation) {
        if let violation = violation(of: value) { throw violation }
    }

    /// `nil` when `value` is valid.
    public static func violation(of value: some StringProtocol) -> IdentifierViolation? {
        IdentifierText.withUTF8(value) { violation(utf8: $0) }
    }

    public static func violation(utf8 bytes: UnsafeBufferPointer<UInt8>) -> IdentifierViolation? {
        let hyphen = UInt8(ascii: "-")
        let checkIndex: Int
        switch bytes.count {
        case 9 where !bytes.contains(hyphen):
            checkIndex = 8
        case 10 where bytes[8] == hyphen && !bytes[..<8].contains(hyphen) && bytes[9] != hyphen:
            checkIndex = 9
        default:
            if bytes.contains(hyphen) {
                return IdentifierViolation(kind: .organizationCode, rule: "format: expected 8 characters, a hyphen and a check character")
            }
            return IdentifierText.lengthViolation(
                .organizationCode, expected: "9 characters (10 with the hyphen)", in: bytes,
                allowed: { IdentifierText.isDigit($0) || IdentifierText.isUppercaseLetter($0) }, reason: charsetReason
            )
        }
        var sum = 0
        for index in 0..<8 {
            guard let value = value(of: bytes[index]) else {
                return IdentifierText.charsetViolation(.organizationCode, at: index, in: bytes, charsetReason(bytes[index]))
            }
            sum &+= value &* weights[index]
        }
        let last = bytes[checkIndex]
        guard IdentifierText.isDigit(last) || last == UInt8(ascii: "X") else {
            let reason = last == UInt8(ascii: "x") ? "the check character is written as uppercase X" : "the check character is a digit or X"
            return IdentifierText.charsetViolation(.organizationCode, at: checkIndex, in: bytes, reason)
        }
        let expected = checkCharacter(sum: sum)
        guard expected == last else {
            return IdentifierViolation(
                kind: .organizationCode,
                rule: "check character: expected \(Character(Unicode.Scalar(expected))), got \(Character(Unicode.Scalar(last)))"
            )
        }
        return nil
    }

    /// The check character that completes an 8-character body, or `nil` if `first8` is not 8
    /// digits or uppercase letters.
    public static func checkCharacter(forFirst8 first8: some StringProtocol) -> Character? {
        IdentifierText.withUTF8(first8) { bytes -> Character? in
            guard bytes.count == 8 else { return nil }
            var sum = 0
            for index in 0..<8 {
                guard let value = value(of: bytes[index]) else { return nil }
                sum += value * weights[index]
            }
            return Character(Unicode.Scalar(checkCharacter(sum: sum)))
        }
    }

    /// C9 = 11 − (Σ mod 11), written X for 10 and 0 for 11.
    @inline(__always)
    static func checkCharacter(sum: Int) -> UInt8 {
        switch 11 - sum % 11 {
        case 10: UInt8(ascii: "X")
        case 11: UInt8(ascii: "0")
        case let digit: UInt8(digit) + 0x30
        }
    }

    /// Digits are 0–9, letters A=10 … Z=35.
    @inline(__always)
    static func value(of byte: UInt8) -> Int? {
        if IdentifierText.isDigit(byte) { return Int(byte - 0x30) }
        if IdentifierText.isUppercaseLetter(byte) { return Int(byte - 0x41) + 10 }
        return nil
    }

    static func charsetReason(_ byte: UInt8) -> String {
        IdentifierText.isLowercaseLetter(byte) ? "letters must be uppercase" : "GB 11714 uses digits and uppercase letters"
    }
}
