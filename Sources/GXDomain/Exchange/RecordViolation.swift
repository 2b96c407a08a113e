/// A value that breaks the catalogue schema: travels to the quarantine and the data-quality report.
///
/// `rule` says what the value should have been ("required", "longer than 50 characters",
/// "not a date (YYYY-MM-DD)", "not in <code table>", "GB 11643-1999: <identifier rule>") so the
/// agency fixing its source knows what to change without reading the catalogue.
public struct RecordViolation: Error, Sendable, Hashable, CustomStringConvertible {
    /// The catalogue item at fault (or `"record"` when the record as a whole has the wrong shape).
    public var item: String
    public var rule: String
    /// The offending value as it arrived, for the quarantine file; `nil` when it was absent.
    public var value: String?

    public init(item: String, rule: String, value: String?) {
        self.item = item
        self.rule = rule
        self.value = value
    }

    /// Item and rule only: descriptions end up in logs, and values are often personal data
    /// (citizen ID numbers, names) that belong in the access-controlled quarantine, not in a log.
    public var description: String { "\(item): \(rule)" }
}
