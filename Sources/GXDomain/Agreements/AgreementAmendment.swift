import Foundation

/// A change to a filed agreement's terms (协议变更) on its way to filing. The parties sign the proposed terms
/// in the agreement's own order — consumer, then provider — and the authority files them; until then the
/// filed terms stay in force and data keeps flowing under them.
public struct AgreementAmendment: Codable, Sendable, Hashable {
    /// The proposed terms, numbered by `terms.amendment`; only items, validity, frequency and duties differ.
    public var terms: AgreementTerms
    /// `draft`, `signed_by_consumer` or `signed_by_provider`: how far the signatures have come.
    public var state: AgreementState
    public var consumerSignature: AgreementSignature?
    public var providerSignature: AgreementSignature?
    /// Who proposed it (a principal's description), when, and why.
    public var proposedBy: String
    public var proposedAt: String
    public var reason: String

    public init(terms: AgreementTerms, proposedBy: String, proposedAt: String, reason: String) {
        self.terms = terms
        self.state = .draft
        self.proposedBy = proposedBy
        self.proposedAt = proposedAt
        self.reason = reason
    }

    /// The number of this amendment (1 for the first).
    public var number: Int { terms.amendment ?? 0 }

    /// The party whose signature is awaited, if any.
    public var awaitedSigner: String? {
        switch state {
        case .draft: return terms.consumer
        case .signedByConsumer: return terms.provider
        default: return nil
        }
    }

    enum CodingKeys: String, CodingKey {
        case terms, state, consumerSignature = "consumer_signature", providerSignature = "provider_signature"
        case proposedBy = "proposed_by", proposedAt = "proposed_at", reason
    }
}
