import GXDomain

/// Filters for listing demands; nil means any.
public struct DemandQuery: Sendable, Hashable {
    /// Either side: the consumer that asked or the provider asked.
    public var party: String?
    public var consumer: String?
    public var provider: String?
    public var resourceCode: String?
    public var state: DemandState?
    /// A UTC timestamp (`Timestamp` form): only undecided demands whose deadline is at or before it.
    public var overdueAt: String?

    public init(party: String? = nil, consumer: String? = nil, provider: String? = nil, resourceCode: String? = nil,
                state: DemandState? = nil, overdueAt: String? = nil) {
        self.party = party
        self.consumer = consumer
        self.provider = provider
        self.resourceCode = resourceCode
        self.state = state
        self.overdueAt = overdueAt
    }

    /// States whose time limit runs, for the overdue filter.
    static let openStates = DemandState.allCases.filter(\.isOpen).map(\.rawValue)
}
