/// The authority's decision on a demand. `take` only marks it under review; the others decide it.
public struct DemandReview: Codable, Sendable, Hashable {
    public enum Decision: String, Codable, Sendable, CaseIterable {
        /// Taken up: the demand is under review (the review clock keeps running).
        case take
        /// 无条件共享: granted by the authority.
        case grant
        /// 有条件共享: passed to the provider, whose reply clock starts.
        case forward
        /// Refused by the authority; a reason is required.
        case refuse
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
