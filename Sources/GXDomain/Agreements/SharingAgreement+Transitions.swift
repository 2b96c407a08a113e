import Foundation
import GXCrypto

extension SharingAgreement {
    /// Applies an act, or refuses it with the states it is allowed from.
    public func applying(_ action: AgreementAction, reason: String? = nil) throws(AgreementError) -> SharingAgreement {
        let rule = action.rule
        guard rule.from.contains(state) else {
            throw .illegalTransition(agreement: id, state: state, action: action, allowedFrom: Array(rule.from))
        }
        var next = self
        next.state = rule.to
        next.revision += 1
        if let reason { next.stateReason = reason }
        return next
    }

    /// The party whose signature is awaited, if any.
    public var awaitedSigner: String? {
        switch state {
        case .draft: return terms.consumer
        case .signedByConsumer: return terms.provider
        default: return nil
        }
    }

    /// Records a party's signature: the consumer signs first, then the provider. The signature must
    /// verify over the current canonical terms with the signer's registered key.
    public func signed(by signer: String, signature der: [UInt8], key: SM2PublicKey, at time: Date) throws(AgreementError) -> SharingAgreement {
        let action: AgreementAction
        switch state {
        case .draft: action = .signByConsumer
        case .signedByConsumer: action = .signByProvider
        default:
            throw .illegalTransition(agreement: id, state: state, action: .signByConsumer, allowedFrom: [.draft, .signedByConsumer])
        }
        let expected = action == .signByConsumer ? terms.consumer : terms.provider
        guard signer == expected else { throw .wrongSigner(agreement: id, expected: expected, got: signer) }
        let bytes = terms.canonicalBytes
        guard key.isValidSignature(der, for: bytes) else { throw .badSignature(agreement: id, signer: signer) }
        var next = try applying(action)
        let record = AgreementSignature(signer: signer, contentDigest: SM3.digest(bytes).hex,
                                        signature: Data(der).base64EncodedString(), signedAt: Timestamp.string(from: time))
        if action == .signByConsumer { next.consumerSignature = record } else { next.providerSignature = record }
        return next
    }

    /// Checks both parties' signatures against the current terms; a changed term breaks them.
    public func verifySignatures(consumerKey: SM2PublicKey, providerKey: SM2PublicKey) throws(AgreementError) {
        let bytes = terms.canonicalBytes
        let digest = SM3.digest(bytes).hex
        for (signature, party, key) in [(consumerSignature, terms.consumer, consumerKey), (providerSignature, terms.provider, providerKey)] {
            guard let signature else { throw .badSignature(agreement: id, signer: party) }
            guard signature.contentDigest == digest else {
                throw .digestMismatch(agreement: id, expected: digest, got: signature.contentDigest)
            }
            guard let der = Data(base64Encoded: signature.signature), key.isValidSignature([UInt8](der), for: bytes) else {
                throw .badSignature(agreement: id, signer: party)
            }
        }
    }

    /// What the authority signs when filing: the terms and both signatures, canonically.
    public var filingBytes: [UInt8] {
        var object: [String: CanonicalJSON] = ["terms": terms.canonicalJSON]
        if let c = consumerSignature { object["consumer_signature"] = .string(c.signature) }
        if let p = providerSignature { object["provider_signature"] = .string(p.signature) }
        return CanonicalJSON.object(object).canonicalBytes
    }

    /// Whether data may flow today: active and within the validity period.
    public func permitsExchange(on day: CalendarDate) -> Bool {
        state == .active && terms.validFrom <= day && day <= terms.validUntil
    }
}
