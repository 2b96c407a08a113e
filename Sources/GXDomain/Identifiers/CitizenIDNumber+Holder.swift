extension CitizenIDNumber {
    /// 性别 as GB/T 2261.1 codes it (1 男, 2 女), which the 人口 schema's 性别代码 uses.
    public enum Sex: Int, Sendable, Hashable, Codable, CaseIterable {
        case male = 1
        case female = 2
    }

    /// The holder's birth date (positions 7–14), or `nil` when the value is not a valid number.
    ///
    /// Returns nothing for invalid numbers so that a date is never derived from a mistyped ID.
    public static func birthDate(of value: some StringProtocol) -> CalendarDate? {
        IdentifierText.withUTF8(value) { bytes -> CalendarDate? in
            guard violation(utf8: bytes) == nil, let date = birthDateComponents(bytes) else { return nil }
            return CalendarDate(year: date.year, month: date.month, day: date.day)
        }
    }

    /// The holder's sex from the sequence code's last digit (odd for men), or `nil` when the
    /// value is not a valid number.
    public static func sex(of value: some StringProtocol) -> Sex? {
        IdentifierText.withUTF8(value) { bytes -> Sex? in
            guard violation(utf8: bytes) == nil else { return nil }
            return (bytes[16] - 0x30) % 2 == 1 ? .male : .female
        }
    }
}
