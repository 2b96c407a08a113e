import Foundation
import GXCrypto
import GXDomain
import GXStorage

/// Amendments (协议变更) as the API, the CLI and the console perform them: who may act, what the new terms
/// must satisfy, the transitions and their audit entries, in one place.
extension Hub {
    /// Proposes new items, validity, frequency or duties for a filed agreement; the authority or either party
    /// may. The proposed terms are checked against the catalogue like an imported agreement's.
    public func proposeAmendment(to id: String, _ body: HubAPI.Amend, by principal: Principal) async throws -> SharingAgreement {
        guard principal.kind != .auditor else { throw HubAPIError.forbidden(principal, "amend agreement \(id)") }
        let agreement = try await visibleAgreement(id, to: principal)
        try agreement.checkAmendable()
        let reason = try Self.amendmentReason(body.reason)
        let record = "agreement \(id)"
        let terms = agreement.terms
        guard let entry = try await store.catalogueEntry(resourceCode: terms.resourceCode, schemaVersion: terms.schemaVersion) else {
            throw InvalidInput(field: "resource", reason: "\(terms.resourceCode) version \(terms.schemaVersion) is no longer in the catalogue", record: record)
        }
        guard let provider = try await store.agency(code: terms.provider), let consumer = try await store.agency(code: terms.consumer) else {
            throw StoreError.notFound(what: "a party of agreement \(id)")
        }
        let proposed = try agreement.amendedTerms(items: body.items, validFrom: body.validFrom, validUntil: body.validUntil,
                                                  frequency: body.frequency, duties: body.duties)
            .validated(entry: entry, provider: provider, consumer: consumer)
        var unchanged = proposed
        unchanged.amendment = terms.amendment
        guard unchanged != terms else {
            throw InvalidInput(field: "items", reason: "the amendment changes nothing: give new items, validity, frequency or duties", record: record)
        }
        let time = now()
        let next = try agreement.proposing(proposed, by: principal.description, reason: reason, at: time)
        try await store.commit([.saveAgreement(next, expectedRevision: agreement.revision)],
                               audit: [audit(next, "agreement.amendment_proposed", by: principal,
                                             details: ["amendment": .integer(Int64(proposed.amendment ?? 0)), "reason": .string(reason),
                                                       "content_digest": .string(proposed.contentDigest.hex),
                                                       "items": .integer(Int64(proposed.items.count))])],
                               at: time)
        return next
    }

    /// A party's SM2 signature on the pending amendment, consumer first, then provider.
    public func signAmendment(of id: String, _ body: HubAPI.Sign, by principal: Principal) async throws -> SharingAgreement {
        guard principal.kind == .agency else { throw HubAPIError.forbidden(principal, "sign an amendment of agreement \(id)") }
        let agreement = try await visibleAgreement(id, to: principal)
        if let claimed = body.signer, claimed != principal.id {
            throw HubAPIError.forbidden(principal, "sign an amendment of agreement \(id) as \(claimed)")
        }
        guard let der = Data(base64Encoded: body.signature), !der.isEmpty, der.count <= 256 else {
            throw HubAPIError(.badRequest, "expected a base64 DER SM2 signature", field: "signature")
        }
        guard let agency = try await store.agency(code: principal.id) else { throw StoreError.notFound(what: "agency \(principal.id)") }
        let time = now()
        let signed: SharingAgreement
        do {
            signed = try agreement.signingAmendment(by: principal.id, signature: [UInt8](der), key: try agency.publicKey(), at: time)
        } catch let error as AgreementError {
            if case .badSignature = error {
                try await auditRefusal(audit(agreement, "agreement.amendment_signature_refused", by: principal,
                                             details: ["reason": .string(error.description)]), by: principal)
            }
            throw error
        }
        let amendment = signed.amendment!
        let role = amendment.state == .signedByConsumer ? "consumer" : "provider"
        try await store.commit([.saveAgreement(signed, expectedRevision: agreement.revision)],
                               audit: [audit(signed, "agreement.amendment_signed", by: principal,
                                             details: ["amendment": .integer(Int64(amendment.number)), "role": .string(role),
                                                       "content_digest": .string(amendment.terms.contentDigest.hex)])],
                               at: time)
        return signed
    }

    /// Files (备案) a signed amendment: both signatures are checked again, the hub countersigns, and in one
    /// transaction the terms in force are superseded and the amendment's take their place — so the next batch
    /// that arrives is projected to the new items. Like an agreement's filing, items above 一般 that the
    /// amendment adds or keeps are filed only with the authority's explicit acknowledgement of their levels
    /// (the same check), kept in the filing and its audit entry.
    public func fileAmendment(of id: String, by principal: Principal, reason: String? = nil,
                              acknowledgedLevels: [String] = []) async throws -> SharingAgreement {
        guard principal.kind == .admin else { throw HubAPIError.forbidden(principal, "file an amendment of agreement \(id)") }
        let reason = try reason.map(Self.amendmentReason)
        guard let agreement = try await store.agreement(id: id) else { throw StoreError.notFound(what: "agreement \(id)") }
        let candidate = try agreement.amendmentReadyToFile()
        guard let consumer = try await store.agency(code: candidate.terms.consumer),
              let provider = try await store.agency(code: candidate.terms.provider) else {
            throw StoreError.notFound(what: "a party of agreement \(id)")
        }
        guard let entry = try await store.catalogueEntry(resourceCode: candidate.terms.resourceCode, schemaVersion: candidate.terms.schemaVersion) else {
            throw StoreError.notFound(what: "catalogue entry \(candidate.terms.resourceCode) version \(candidate.terms.schemaVersion)")
        }
        let levels = try candidate.terms.acknowledgedLevels(acknowledgedLevels, entry: entry)
        try candidate.verifySignatures(consumerKey: try consumer.publicKey(at: candidate.consumerSignature?.signedAt ?? ""),
                                       providerKey: try provider.publicKey(at: candidate.providerSignature?.signedAt ?? ""))
        let time = now()
        let signature = try key.signature(for: candidate.filingBytes)
        let filing = AgreementFiling(filedBy: principal.description, filedAt: Timestamp.string(from: time), signature: Data(signature).base64EncodedString(),
                                     acknowledgedLevels: levels.isEmpty ? nil : levels)
        let amended = try agreement.filingAmendment(filing)
        var details: [String: CanonicalJSON] = ["amendment": .integer(Int64(amended.terms.amendment ?? 0)),
                                                "content_digest": .string(amended.terms.contentDigest.hex),
                                                "superseded_content_digest": .string(agreement.terms.contentDigest.hex),
                                                "filing_sm3": .string(SM3.digest(candidate.filingBytes).hex)]
        if !levels.isEmpty { details["acknowledged_levels"] = .array(levels.map { .string($0) }) }
        if let reason { details["reason"] = .string(reason) }
        try await store.commit([.saveAgreement(amended, expectedRevision: agreement.revision)],
                               audit: [audit(amended, "agreement.amended", by: principal, details: details)],
                               at: time)
        return amended
    }

    /// Withdraws the pending amendment, with a reason: the authority or either party.
    public func withdrawAmendment(of id: String, reason: String, by principal: Principal) async throws -> SharingAgreement {
        guard principal.kind != .auditor else { throw HubAPIError.forbidden(principal, "withdraw an amendment of agreement \(id)") }
        let agreement = try await visibleAgreement(id, to: principal)
        let reason = try Self.amendmentReason(reason)
        let number = agreement.amendment?.number ?? 0
        let next = try agreement.withdrawingAmendment()
        try await store.commit([.saveAgreement(next, expectedRevision: agreement.revision)],
                               audit: [audit(next, "agreement.amendment_withdrawn", by: principal,
                                             details: ["amendment": .integer(Int64(number)), "reason": .string(reason)])],
                               at: now())
        return next
    }

    private static func amendmentReason(_ reason: String) throws -> String {
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, reason.count <= 1000 else {
            throw HubAPIError(.badRequest, "state a reason of 1 to 1000 characters", field: "reason")
        }
        return reason
    }
}
