/// A sharing agreement between a provider and a consumer (共享对子), with its signatures and state.
public struct SharingAgreement: Codable, Sendable, Hashable {
    public var terms: AgreementTerms
    public var state: AgreementState
    public var consumerSignature: AgreementSignature?
    public var providerSignature: AgreementSignature?
    public var filing: AgreementFiling?
    /// Set when a later agreement took this one's place.
    public var supersededBy: String?
    /// The reason given for the last suspension, revocation or expiry.
    public var stateReason: String?
    /// Increases with every change; stores refuse a write based on an older revision.
    public var revision: Int
    /// A change to the terms awaiting signatures and filing, while these terms stay in force.
    public var amendment: AgreementAmendment?
    /// The terms filed before the ones in force, oldest first (absent until a first amendment is filed).
    public var revisions: [AgreementRevision]?

    public init(terms: AgreementTerms) {
        self.terms = terms
        self.state = .draft
        self.revision = 0
    }

    public var id: String { terms.id }

    enum CodingKeys: String, CodingKey {
        case terms, state, consumerSignature = "consumer_signature", providerSignature = "provider_signature"
        case filing, supersededBy = "superseded_by", stateReason = "state_reason", revision
        case amendment, revisions
    }
}
