/// Input that cannot be accepted, with the field at fault so a person can fix it.
///
/// `record` names the thing being checked (an agency code, an agreement id, a file and line)
/// when the field alone would be ambiguous.
public struct InvalidInput: Error, Sendable, Equatable, CustomStringConvertible {
    public let field: String
    public let reason: String
    public let record: String?

    public init(field: String, reason: String, record: String? = nil) {
        self.field = field
        self.reason = reason
        self.record = record
    }

    public var description: String {
        if let record { return "\(record): \(field): \(reason)" }
        return "\(field): \(reason)"
    }
}
