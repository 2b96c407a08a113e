/// One set of terms an agreement was filed under, with who signed and filed it. The agreement keeps every
/// earlier one once an amendment took its place, so its history shows each revision and its signatures.
public struct AgreementRevision: Codable, Sendable, Hashable {
    public var terms: AgreementTerms
    public var consumerSignature: AgreementSignature?
    public var providerSignature: AgreementSignature?
    public var filing: AgreementFiling?
    /// When the next revision was filed; absent for the revision in force.
    public var supersededAt: String?

    public init(terms: AgreementTerms, consumerSignature: AgreementSignature?, providerSignature: AgreementSignature?,
                filing: AgreementFiling?, supersededAt: String?) {
        self.terms = terms
        self.consumerSignature = consumerSignature
        self.providerSignature = providerSignature
        self.filing = filing
        self.supersededAt = supersededAt
    }

    /// 0 for the terms first filed, then 1, 2, … for each amendment.
    public var number: Int { terms.amendment ?? 0 }

    enum CodingKeys: String, CodingKey {
        case terms, consumerSignature = "consumer_signature", providerSignature = "provider_signature", filing
        case supersededAt = "superseded_at"
    }
}
