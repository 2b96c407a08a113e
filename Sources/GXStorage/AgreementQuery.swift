import GXDomain

/// Filters for listing agreements; nil means any.
public struct AgreementQuery: Sendable, Hashable {
    /// Either side of the agreement.
    public var party: String?
    public var provider: String?
    public var consumer: String?
    public var resourceCode: String?
    public var state: AgreementState?

    public init(party: String? = nil, provider: String? = nil, consumer: String? = nil, resourceCode: String? = nil, state: AgreementState? = nil) {
        self.party = party
        self.provider = provider
        self.consumer = consumer
        self.resourceCode = resourceCode
        self.state = state
    }
}
