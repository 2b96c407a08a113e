/// Why a value is not a valid identifier of its kind.
///
/// `rule` starts with the part of the identifier at fault ("length", "charset", "check character",
/// "birth date", …) followed by what was expected and what was found, so the person fixing the
/// source data knows which character to look at. The value itself is deliberately not stored:
/// citizen ID numbers are personal data and violations end up in logs and quarantine reports,
/// which already name the field and record.
public struct IdentifierViolation: Error, Equatable, Sendable, CustomStringConvertible {
    public let kind: IdentifierKind
    public let rule: String

    public init(kind: IdentifierKind, rule: String) {
        self.kind = kind
        self.rule = rule
    }

    public var description: String {
        "invalid \(kind.title) (\(kind.standard)): \(rule)"
    }
}
