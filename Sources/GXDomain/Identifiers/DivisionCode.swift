/// 行政区划代码, GB/T 2260: six digits, province (2) + city (2) + county (2).
///
/// Rule chosen: six ASCII digits whose first two are a province-level code that GB/T 2260 has
/// assigned — 11–15, 21–23, 31–37, 41–46, 50–54, 61–65, 71 (台湾), 81 (香港), 82 (澳门). That
/// rejects all-zero and shifted or truncated values (the common data-entry faults) without a
/// full county table, which changes every year and would reject old records of merged counties.
/// City and county parts are not checked for the same reason: "00" is legitimate in both
/// (province- and city-level codes, and cities without counties such as 441900 东莞).
public enum DivisionCode {
    public static func validate(_ value: some StringProtocol) throws(IdentifierViolation) {
        if let violation = violation(of: value) { throw violation }
    }

    /// `nil` when `value` is valid.
    public static func violation(of value: some StringProtocol) -> IdentifierViolation? {
        IdentifierText.withUTF8(value) { violation(utf8: $0) }
    }

    public static func violation(utf8 bytes: UnsafeBufferPointer<UInt8>) -> IdentifierViolation? {
        guard bytes.count == 6 else {
            return IdentifierText.lengthViolation(
                .division, expected: "6 digits", in: bytes, allowed: IdentifierText.isDigit, reason: { _ in "only digits" }
            )
        }
        return violation(in: bytes, at: 0, as: .division, part: nil)
    }

    /// Checks the six bytes at `offset`, so a 不动产单元号 can check its county code with the same
    /// rule; `part` prefixes the message with the name of that part.
    static func violation(
        in bytes: UnsafeBufferPointer<UInt8>, at offset: Int, as kind: IdentifierKind, part: String?
    ) -> IdentifierViolation? {
        for index in offset..<offset + 6 where !IdentifierText.isDigit(bytes[index]) {
            let violation = IdentifierText.charsetViolation(kind, at: index, in: bytes, "a GB/T 2260 code is 6 digits")
            guard let part else { return violation }
            return IdentifierViolation(kind: kind, rule: "\(part): \(violation.rule)")
        }
        let province = Int(bytes[offset] - 0x30) * 10 + Int(bytes[offset + 1] - 0x30)
        guard isProvince(province) else {
            let code = IdentifierText.text(bytes, offset..<offset + 6)
            let rule = "province: \(code) does not start with a GB/T 2260 province code (11–15, 21–23, 31–37, 41–46, 50–54, 61–65, 71, 81, 82)"
            return IdentifierViolation(kind: kind, rule: part.map { "\($0): \(rule)" } ?? rule)
        }
        return nil
    }

    @inline(__always)
    static func isProvince(_ code: Int) -> Bool {
        switch code {
        case 11...15, 21...23, 31...37, 41...46, 50...54, 61...65, 71, 81, 82: true
        default: false
        }
    }
}
