/// One entry point for callers that pick the identifier kind at run time (catalogue item types,
/// `gx validate --kind`).
public enum IdentifierValidator {
    /// `nil` when `value` is valid. Allocates only when it returns a violation.
    public static func violation(of value: some StringProtocol, as kind: IdentifierKind) -> IdentifierViolation? {
        IdentifierText.withUTF8(value) { violation(utf8: $0, as: kind) }
    }

    /// The same check over raw UTF-8, for parsers that hold a field as bytes and should not build a
    /// `String` per value.
    public static func violation(utf8 bytes: UnsafeBufferPointer<UInt8>, as kind: IdentifierKind) -> IdentifierViolation? {
        switch kind {
        case .citizenID: CitizenIDNumber.violation(utf8: bytes)
        case .uscc: UnifiedSocialCreditCode.violation(utf8: bytes)
        case .organizationCode: OrganizationCode.violation(utf8: bytes)
        case .division: DivisionCode.violation(utf8: bytes)
        case .realEstateUnit: RealEstateUnitNumber.violation(utf8: bytes)
        }
    }

    public static func validate(_ value: some StringProtocol, as kind: IdentifierKind) throws(IdentifierViolation) {
        if let violation = violation(of: value, as: kind) { throw violation }
    }
}
