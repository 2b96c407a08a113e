/// 统一社会信用代码, GB 32100-2015: 登记管理部门码 (1), 机构类别码 (1), 登记管理机关行政区划码
/// (6 digits), 主体标识码 = the 组织机构代码 (9), and a check character (ISO 7064 MOD 31-3), all
/// from `0–9 A–Z` without `I O S V Z`.
///
/// What is enforced: length, that alphabet (uppercase only), digits in positions 3–8, and the
/// check character.
///
/// What is not enforced by default:
/// - The meaning of positions 1 and 2. The set of registration authorities and their categories
///   has grown since 2015 (1 机构编制, 5 民政, 9 工商, Y 其他, later others); a fixed list would
///   start rejecting real entities the day a new authority is added.
/// - The GB 11714 check character of the embedded 组织机构代码 (positions 9–17). Every example in
///   the design brief satisfies it, but the USCC's own check character already covers all 17
///   positions, so a typo is caught without it, while rejecting a real registered entity over a
///   secondary rule would quarantine all its records. Callers that want it (e.g. registering an
///   agency by hand) pass `checkingEmbeddedOrganizationCode: true`.
public enum UnifiedSocialCreditCode {
    static let weights: [Int] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    /// The 31 characters in value order: `alphabet[v]` has value v.
    static let alphabet: [UInt8] = Array("0123456789ABCDEFGHJKLMNPQRTUWXY".utf8)

    public static func validate(
        _ value: some StringProtocol, checkingEmbeddedOrganizationCode: Bool = false
    ) throws(IdentifierViolation) {
        if let violation = violation(of: value, checkingEmbeddedOrganizationCode: checkingEmbeddedOrganizationCode) {
            throw violation
        }
    }

    /// `nil` when `value` is valid.
    public static func violation(
        of value: some StringProtocol, checkingEmbeddedOrganizationCode: Bool = false
    ) -> IdentifierViolation? {
        IdentifierText.withUTF8(value) {
            violation(utf8: $0, checkingEmbeddedOrganizationCode: checkingEmbeddedOrganizationCode)
        }
    }

    public static func violation(
        utf8 bytes: UnsafeBufferPointer<UInt8>, checkingEmbeddedOrganizationCode: Bool = false
    ) -> IdentifierViolation? {
        guard bytes.count == 18 else {
            return IdentifierText.lengthViolation(
                .uscc, expected: "18 characters", in: bytes,
                allowed: { value(of: $0) != nil }, reason: charsetReason
            )
        }
        var sum = 0
        for index in 0..<17 {
            guard let value = value(of: bytes[index]) else {
                return IdentifierText.charsetViolation(.uscc, at: index, in: bytes, charsetReason(bytes[index]))
            }
            if (2..<8).contains(index), !IdentifierText.isDigit(bytes[index]) {
                return IdentifierText.charsetViolation(
                    .uscc, at: index, in: bytes, "positions 3–8 are the registering authority's GB/T 2260 division code, digits only"
                )
            }
            sum &+= value &* weights[index]
        }
        guard value(of: bytes[17]) != nil else {
            return IdentifierText.charsetViolation(.uscc, at: 17, in: bytes, charsetReason(bytes[17]))
        }
        let expected = alphabet[(31 - sum % 31) % 31]
        guard expected == bytes[17] else {
            return IdentifierViolation(
                kind: .uscc,
                rule: "check character: expected \(Character(Unicode.Scalar(expected))), got \(Character(Unicode.Scalar(bytes[17])))"
            )
        }
        if checkingEmbeddedOrganizationCode,
           let inner = OrganizationCode.violation(utf8: UnsafeBufferPointer(rebasing: bytes[8..<17])) {
            return IdentifierViolation(kind: .uscc, rule: "embedded 组织机构代码 (positions 9–17): \(inner.rule)")
        }
        return nil
    }

    /// The check character that completes `first17`, or `nil` if they are not 17 characters of
    /// the GB 32100 alphabet.
    public static func checkCharacter(forFirst17 first17: some StringProtocol) -> Character? {
        IdentifierText.withUTF8(first17) { bytes -> Character? in
            guard bytes.count == 17 else { return nil }
            var sum = 0
            for index in 0..<17 {
                guard let value = value(of: bytes[index]) else { return nil }
                sum += value * weights[index]
            }
            return Character(Unicode.Scalar(alphabet[(31 - sum % 31) % 31]))
        }
    }

    /// The 主体标识码 (positions 9–17), which is the entity's 组织机构代码 without the hyphen.
    /// Meant for validated codes; a shorter input yields whatever of those positions it has.
    public static func organizationCode(of code: some StringProtocol) -> String {
        String(code.dropFirst(8).prefix(9))
    }

    /// The character's value 0–30, or `nil` outside the alphabet (lowercase included).
    @inline(__always)
    static func value(of byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - 0x30)
        case UInt8(ascii: "A")...UInt8(ascii: "H"): Int(byte - 0x41) + 10
        case UInt8(ascii: "J")...UInt8(ascii: "N"): Int(byte - 0x4A) + 18
        case UInt8(ascii: "P")...UInt8(ascii: "R"): Int(byte - 0x50) + 23
        case UInt8(ascii: "T"), UInt8(ascii: "U"): Int(byte - 0x54) + 26
        case UInt8(ascii: "W")...UInt8(ascii: "Y"): Int(byte - 0x57) + 28
        default: nil
        }
    }

    static func charsetReason(_ byte: UInt8) -> String {
        if IdentifierText.isLowercaseLetter(byte) { return "letters must be uppercase" }
        if IdentifierText.isUppercaseLetter(byte) { return "GB 32100 excludes I O S V Z" }
        return "GB 32100 uses digits and uppercase letters except I O S V Z"
    }
}
