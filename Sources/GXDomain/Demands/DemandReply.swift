/// The provider's answer to a forwarded demand: accept, accept fewer items (each refused item with its
/// reason), or refuse (with a reason), as 国发〔2016〕51号 requires reasons for a refusal.
public struct DemandReply: Codable, Sendable, Hashable {
    public enum Decision: String, Codable, Sendable, CaseIterable {
        case accept
        case acceptFewer = "accept_fewer"
        case refuse
    }

    public struct RefusedItem: Codable, Sendable, Hashable {
        public var item: String
        public var reason: String
        public init(item: String, reason: String) {
            self.item = item
            self.reason = reason
        }
    }

    public var decision: Decision
    public var refusedItems: [RefusedItem]
    public var reason: String?
    public var by: String?
    public var at: String?

    public init(decision: Decision, refusedItems: [RefusedItem] = [], reason: String? = nil, by: String? = nil, at: String? = nil) {
        self.decision = decision
        self.refusedItems = refusedItems
        self.reason = reason
        self.by = by
        self.at = at
    }

    enum CodingKeys: String, CodingKey { case decision, refusedItems = "refused_items", reason, by, at }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        decision = try c.decode(Decision.self, forKey: .decision)
        refusedItems = try c.decodeIfPresent([RefusedItem].self, forKey: .refusedItems) ?? []
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
        by = try c.decodeIfPresent(String.self, forKey: .by)
        at = try c.decodeIfPresent(String.self, forKey: .at)
    }
}
