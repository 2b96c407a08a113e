import Foundation
import GXCrypto

/// Amendments (协议变更): new terms for a filed agreement go through the same sign → sign → file flow as the
/// agreement did, beside it; the terms in force change only when the authority files the new ones.
extension SharingAgreement {
    /// Only a filed agreement that has not ended can be amended (a draft is simply imported again).
    public static let amendableStates: Set<AgreementState> = [.filed, .active, .suspended]

    /// The terms in force with the given changes, numbered as the next amendment. Everything else — parties,
    /// resource, purpose, basis, method — stays as filed.
    public func amendedTerms(items: [String]?, validFrom: CalendarDate?, validUntil: CalendarDate?,
                             frequency: UpdateCycle?, duties: AgreementDuties?) -> AgreementTerms {
        var next = terms
        if let items { next.items = items }
        if let validFrom { next.validFrom = validFrom }
        if let validUntil { next.validUntil = validUntil }
        if let frequency { next.frequency = frequency }
        if let duties { next.duties = duties }
        next.amendment = (terms.amendment ?? 0) + 1
        return next
    }

    /// Refuses a proposal while the agreement cannot take one: not filed or already ended, or another
    /// amendment pending.
    public func checkAmendable() throws(AgreementError) {
        guard Self.amendableStates.contains(state) else { throw .notAmendable(agreement: id, state: state) }
        if let amendment { throw .amendmentPending(agreement: id, number: amendment.number) }
    }

    /// Puts proposed terms (from `amendedTerms`) beside the ones in force, awaiting the consumer's signature.
    public func proposing(_ amended: AgreementTerms, by proposer: String, reason: String, at time: Date) throws(AgreementError) -> SharingAgreement {
        try checkAmendable()
        var next = self
        next.amendment = AgreementAmendment(terms: amended, proposedBy: proposer, proposedAt: Timestamp.string(from: time), reason: reason)
        next.revision += 1
        return next
    }

    /// Records a party's signature on the pending amendment: the consumer first, then the provider, each
    /// verified over the amendment's canonical terms with the signer's registered key.
    public func signingAmendment(by signer: String, signature der: [UInt8], key: SM2PublicKey, at time: Date) throws(AgreementError) -> SharingAgreement {
        guard Self.amendableStates.contains(state) else { throw .notAmendable(agreement: id, state: state) }
        guard var amendment else { throw .noAmendment(agreement: id) }
        guard let expected = amendment.awaitedSigner else {
            throw .amendmentOutOfTurn(agreement: id, number: amendment.number, state: amendment.state, act: "sign", allowedFrom: [.draft, .signedByConsumer])
        }
        guard signer == expected else { throw .wrongSigner(agreement: id, expected: expected, got: signer) }
        let bytes = amendment.terms.canonicalBytes
        guard key.isValidSignature(der, for: bytes) else { throw .badSignature(agreement: id, signer: signer) }
        let record = AgreementSignature(signer: signer, contentDigest: SM3.digest(bytes).hex,
                                        signature: Data(der).base64EncodedString(), signedAt: Timestamp.string(from: time))
        if amendment.state == .draft {
            amendment.consumerSignature = record
            amendment.state = .signedByConsumer
        } else {
            amendment.providerSignature = record
            amendment.state = .signedByProvider
        }
        var next = self
        next.amendment = amendment
        next.revision += 1
        return next
    }

    /// The agreement as the amendment would make it: its terms and signatures in place of the ones in force.
    /// Its `verifySignatures` and `filingBytes` are what filing the amendment checks and countersigns.
    public var amendmentCandidate: SharingAgreement? {
        guard let amendment else { return nil }
        var candidate = self
        candidate.terms = amendment.terms
        candidate.consumerSignature = amendment.consumerSignature
        candidate.providerSignature = amendment.providerSignature
        candidate.filing = nil
        candidate.amendment = nil
        return candidate
    }

    /// The amendment's candidate (see `amendmentCandidate`), once both parties have signed it and the
    /// agreement may still be amended; otherwise the refusal that says what is missing.
    public func amendmentReadyToFile() throws(AgreementError) -> SharingAgreement {
        guard Self.amendableStates.contains(state) else { throw .notAmendable(agreement: id, state: state) }
        guard let amendment, let candidate = amendmentCandidate else { throw .noAmendment(agreement: id) }
        guard amendment.state == .signedByProvider else {
            throw .amendmentOutOfTurn(agreement: id, number: amendment.number, state: amendment.state, act: "file", allowedFrom: [.signedByProvider])
        }
        return candidate
    }

    /// Files the fully signed amendment: the terms in force join the history as superseded at the filing's
    /// time, and the amendment's terms, signatures and filing take their place. The state does not change:
    /// an active agreement stays active, now under the new terms.
    public func filingAmendment(_ filing: AgreementFiling) throws(AgreementError) -> SharingAgreement {
        let candidate = try amendmentReadyToFile()
        var next = self
        var superseded = history.last!
        superseded.supersededAt = filing.filedAt
        next.revisions = (revisions ?? []) + [superseded]
        next.terms = candidate.terms
        next.consumerSignature = candidate.consumerSignature
        next.providerSignature = candidate.providerSignature
        next.filing = filing
        next.amendment = nil
        next.revision += 1
        return next
    }

    /// Drops the pending amendment; the terms in force are untouched.
    public func withdrawingAmendment() throws(AgreementError) -> SharingAgreement {
        guard amendment != nil else { throw .noAmendment(agreement: id) }
        var next = self
        next.amendment = nil
        next.revision += 1
        return next
    }

    /// Every revision the agreement was filed under, oldest first, ending with the one in force.
    public var history: [AgreementRevision] {
        (revisions ?? []) + [AgreementRevision(terms: terms, consumerSignature: consumerSignature, providerSignature: providerSignature,
                                               filing: filing, supersededAt: nil)]
    }
}
