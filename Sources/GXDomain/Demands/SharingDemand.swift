/// A consumer's demand for a catalogued resource (共享需求), from submission to its agreement or refusal.
///
/// The deadline is the running step's time limit in working days: the authority's review while
/// `submitted`/`under_review`, the provider's reply while `forwarded`; nil once decided.
public struct SharingDemand: Codable, Sendable, Hashable {
    public var id: String
    public var consumer: String
    /// The resource's provider, from the catalogue: the only agency that replies.
    public var provider: String
    public var schemaVersion: String
    public var request: DemandRequest
    public var sharingType: SharingType
    public var state: DemandState
    public var submittedAt: String
    /// Timestamp (UTC) at which the running step's time limit runs out.
    public var deadline: String?
    public var review: DemandReview?
    public var reply: DemandReply?
    /// Why it was refused or withdrawn.
    public var stateReason: String?
    /// The draft agreement the hub drew up when the demand was granted.
    public var agreement: String?
    /// Increases with every change; stores refuse a write based on an older revision.
    public var revision: Int

    public init(id: String, consumer: String, provider: String, schemaVersion: String, request: DemandRequest,
                sharingType: SharingType, submittedAt: String, deadline: String?) {
        self.id = id
        self.consumer = consumer
        self.provider = provider
        self.schemaVersion = schemaVersion
        self.request = request
        self.sharingType = sharingType
        self.state = .submitted
        self.submittedAt = submittedAt
        self.deadline = deadline
        self.revision = 0
    }

    public var resourceCode: String { request.resourceCode }

    /// The items the agreement will carry: those asked for less those the provider refused.
    public var grantedItems: [String] {
        let refused = Set(reply?.refusedItems.map(\.item) ?? [])
        return request.items.filter { !refused.contains($0) }
    }

    /// Who must act next: "authority", the provider's code, or nil when decided.
    public var awaiting: String? {
        switch state {
        case .submitted, .underReview: return "authority"
        case .forwarded: return provider
        default: return nil
        }
    }

    /// Whether the running step's time limit has passed at `now` (a UTC timestamp as `Timestamp` writes).
    public func isOverdue(at now: String) -> Bool {
        guard state.isOpen, let deadline else { return false }
        return deadline <= now
    }

    enum CodingKeys: String, CodingKey {
        case id, consumer, provider, schemaVersion = "schema_version", request, sharingType = "sharing_type", state
        case submittedAt = "submitted_at", deadline, review, reply, stateReason = "state_reason", agreement, revision
    }
}
