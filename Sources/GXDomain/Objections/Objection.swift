/// A consumer's objection (数据异议) to a record it received under an agreement, from raising to the
/// correcting batch, the provider's rejection, or the authority.
///
/// The deadline is the provider's time limit for answering (working days from raising); it stays set after
/// the answer so oversight can tell whether the answer came in time.
public struct Objection: Codable, Sendable, Hashable {
    public var id: String
    public var consumer: String
    /// The resource's provider: the only agency that answers.
    public var provider: String
    public var agreement: String
    public var resourceCode: String
    public var key: [String]
    public var items: [String]
    public var problem: String
    public var evidence: String?
    public var state: ObjectionState
    public var raisedAt: String
    /// Timestamp (UTC) by which the provider must answer.
    public var deadline: String
    public var answer: ObjectionAnswer?
    /// When the hub put it before the authority for want of an answer.
    public var escalatedAt: String?
    /// When the correcting batch closed it, and which batch (`RESOURCE#SEQUENCE`).
    public var closedAt: String?
    public var closedBy: String?
    /// Increases with every change; stores refuse a write based on an older revision.
    public var revision: Int

    public init(id: String, consumer: String, provider: String, agreement: String, resourceCode: String, key: [String], items: [String],
                problem: String, evidence: String?, raisedAt: String, deadline: String) {
        self.id = id
        self.consumer = consumer
        self.provider = provider
        self.agreement = agreement
        self.resourceCode = resourceCode
        self.key = key
        self.items = items
        self.problem = problem
        self.evidence = evidence
        self.state = .open
        self.raisedAt = raisedAt
        self.deadline = deadline
        self.revision = 0
    }

    /// The key as one text, as consumers' `gx_disputed` and the hub's index keep it: the value itself for a
    /// resource with one key item, the canonical JSON array of the values for a composite key.
    public var keyText: String { Self.keyText(key) }

    public static func keyText(_ key: [String]) -> String {
        key.count == 1 ? key[0] : CanonicalJSON.array(key.map { .string($0) }).canonicalString
    }

    /// Who must act next: the provider (answer), "authority" (escalated), the provider's correcting batch
    /// (confirmed), or nil once final.
    public var awaiting: String? {
        switch state {
        case .open, .confirmed: return provider
        case .escalated: return "authority"
        case .rejected, .closed: return nil
        }
    }

    /// Whether the provider's answer is awaited past its deadline at `now` (a UTC timestamp as `Timestamp` writes).
    public func isOverdue(at now: String) -> Bool {
        state.awaitsAnswer && deadline <= now
    }

    /// Whether the provider answered by the deadline (nil while unanswered).
    public var answeredInTime: Bool? {
        answer?.at.map { $0 <= deadline }
    }

    enum CodingKeys: String, CodingKey {
        case id, consumer, provider, agreement, resourceCode = "resource", key, items, problem, evidence, state
        case raisedAt = "raised_at", deadline, answer, escalatedAt = "escalated_at", closedAt = "closed_at", closedBy = "closed_by", revision
    }
}
