/// The provider's answer: *confirmed* (it corrects the record at the source; the next accepted batch
/// carrying the key closes the objection) or *rejected*, with the reason required.
public struct ObjectionAnswer: Codable, Sendable, Hashable {
    public enum Decision: String, Codable, Sendable, CaseIterable {
        case confirmed
        case rejected
    }

    public var decision: Decision
    public var reason: String?
    public var by: String?
    public var at: String?

    public init(decision: Decision, reason: String? = nil, by: String? = nil, at: String? = nil) {
        self.decision = decision
        self.reason = reason
        self.by = by
        self.at = at
    }
}
