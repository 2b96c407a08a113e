/// 不动产单元号, GB/T 37346: 28 characters.
///
/// | positions | part | rule |
/// |---|---|---|
/// | 1–6 | county code (县级行政区划代码) | GB/T 2260, checked as ``DivisionCode`` |
/// | 7–9 | cadastral district (地籍区) | digits |
/// | 10–12 | cadastral subdistrict (地籍子区) | digits |
/// | 13 | parcel ownership (宗地特征码, 1st) | G 国有, J 集体, Z 争议 |
/// | 14 | parcel type (宗地特征码, 2nd) | an uppercase letter |
/// | 15–19 | parcel sequence (宗地顺序号) | digits |
/// | 20 | fixture code (定着物特征码) | F 房屋, L 林木, Q 其他, W 无定着物 |
/// | 21–28 | fixture unit (定着物单元编号) | digits |
///
/// The parcel type letter is only required to be a letter: its table (B 建设用地使用权, C 宅基地,
/// …) is set by regulation and has been extended; a wrong letter there is a registry matter,
/// not a transcription error this check could catch.
public enum RealEstateUnitNumber {
    public static func validate(_ value: some StringProtocol) throws(IdentifierViolation) {
        if let violation = violation(of: value) { throw violation }
    }

    /// `nil` when `value` is valid.
    public static func violation(of value: some StringProtocol) -> IdentifierViolation? {
        IdentifierText.withUTF8(value) { violation(utf8: $0) }
    }

    public static func violation(utf8 bytes: UnsafeBufferPointer<UInt8>) -> IdentifierViolation? {
        guard bytes.count == 28 else {
            return IdentifierText.lengthViolation(
                .realEstateUnit, expected: "28 characters", in: bytes,
                allowed: { IdentifierText.isDigit($0) || IdentifierText.isUppercaseLetter($0) },
                reason: { IdentifierText.isLowercaseLetter($0) ? "letters must be uppercase" : "only digits and uppercase letters" }
            )
        }
        if let violation = DivisionCode.violation(in: bytes, at: 0, as: .realEstateUnit, part: "county code (positions 1–6)") {
            return violation
        }
        if let violation = digits(bytes, 6..<9, "cadastral district 地籍区 (positions 7–9) is 3 digits")
            ?? digits(bytes, 9..<12, "cadastral subdistrict 地籍子区 (positions 10–12) is 3 digits") {
            return violation
        }
        switch bytes[12] {
        case UInt8(ascii: "G"), UInt8(ascii: "J"), UInt8(ascii: "Z"): break
        default:
            return letterViolation(bytes, 12, "宗地特征码 starts with G, J or Z: state, collective or disputed ownership")
        }
        guard IdentifierText.isUppercaseLetter(bytes[13]) else {
            return letterViolation(bytes, 13, "the 宗地特征码's second character is an uppercase letter")
        }
        if let violation = digits(bytes, 14..<19, "parcel sequence 宗地顺序号 (positions 15–19) is 5 digits") {
            return violation
        }
        switch bytes[19] {
        case UInt8(ascii: "F"), UInt8(ascii: "L"), UInt8(ascii: "Q"), UInt8(ascii: "W"): break
        default:
            return letterViolation(bytes, 19, "定着物特征码 is F, L, Q or W: building, trees, other, none")
        }
        return digits(bytes, 20..<28, "fixture unit 定着物单元编号 (positions 21–28) is 8 digits")
    }

    /// A lowercase letter is a case mistake, not a wrong code, so it is named as such.
    private static func letterViolation(_ bytes: UnsafeBufferPointer<UInt8>, _ index: Int, _ reason: String) -> IdentifierViolation {
        let reason = IdentifierText.isLowercaseLetter(bytes[index]) ? "letters must be uppercase" : reason
        return IdentifierText.charsetViolation(.realEstateUnit, at: index, in: bytes, reason)
    }

    private static func digits(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ reason: String) -> IdentifierViolation? {
        for index in range where !IdentifierText.isDigit(bytes[index]) {
            return IdentifierText.charsetViolation(.realEstateUnit, at: index, in: bytes, reason)
        }
        return nil
    }
}
