import Foundation
import GXCrypto
import GXDomain
import GXStorage
import Hummingbird

extension Hub {
    func addAgreementRoutes(to router: Router<HubRequestContext>) {
        // The authority registers a sharing pair's agreement as a draft.
        router.on(.post, "/v1/agreements", allow: [.admin]) { request, context, principal in
            let terms = try await request.decodeBody(AgreementTerms.self, context: context)
            let agreement = try await importAgreement(terms, by: principal)
            return try JSONResponse.make(HubAPI.AgreementView(agreement: agreement), status: .created)
        }

        router.on(.get, "/v1/agreements", allow: [.admin, .auditor, .agency]) { request, context, principal in
            let parameters = QueryParameters(request, context)
            var query = AgreementQuery(provider: try parameters.text("provider"), consumer: try parameters.text("consumer"),
                                       resourceCode: try parameters.text("resource"))
            if let state = try parameters.text("state") {
                guard let parsed = AgreementState(rawValue: state) else {
                    throw HubAPIError(.badRequest, "unknown state '\(state)'", field: "state")
                }
                query.state = parsed
            }
            // An agency sees only the agreements it is a party to.
            if case let .agency(code) = principal { query.party = code }
            return try JSONResponse.make(try await store.agreements(matching: query))
        }

        router.on(.get, "/v1/agreements/:id", allow: [.admin, .auditor, .agency]) { request, context, principal in
            let agreement = try await visibleAgreement(try QueryParameters(request, context).path("id"), to: principal)
            return try JSONResponse.make(HubAPI.AgreementView(agreement: agreement))
        }

        router.on(.post, "/v1/agreements/:id/signatures", allow: [.agency]) { request, context, principal in
            let body = try await request.decodeBody(HubAPI.Sign.self, context: context)
            let agreement = try await sign(try QueryParameters(request, context).path("id"), body, by: principal)
            return try JSONResponse.make(HubAPI.AgreementView(agreement: agreement))
        }

        router.on(.post, "/v1/agreements/:id/filing", allow: [.admin]) { request, context, principal in
            let body = try await request.decodeBody(HubAPI.Filing.self, context: context, whenEmpty: HubAPI.Filing())
            let agreement = try await perform(.file, on: try QueryParameters(request, context).path("id"), reason: body.reason,
                                              acknowledgedLevels: body.acknowledgedLevels ?? [], by: principal)
            return try JSONResponse.make(HubAPI.AgreementView(agreement: agreement))
        }

        router.on(.post, "/v1/agreements/:id/activation", allow: [.admin]) { request, context, principal in
            let agreement = try await activate(try QueryParameters(request, context).path("id"), by: principal)
            return try JSONResponse.make(HubAPI.AgreementView(agreement: agreement))
        }

        for (path, act) in [("suspension", AgreementAct.suspend), ("resumption", .resume), ("revocation", .revoke)] {
            router.on(.post, RouterPath("/v1/agreements/:id/\(path)"), allow: [.admin]) { request, context, principal in
                let body = try await request.decodeBody(HubAPI.Reason.self, context: context)
                let agreement = try await perform(act, on: try QueryParameters(request, context).path("id"), reason: body.reason, by: principal)
                return try JSONResponse.make(HubAPI.AgreementView(agreement: agreement))
            }
        }

        // Moves agreements whose validity has ended to `expired` now rather than at the next sweep.
        router.on(.post, "/v1/agreements/expiry", allow: [.admin]) { _, _, _ in
            try JSONResponse.make(try await expireDueAgreements())
        }

        addAmendmentRoutes(to: router)
    }

    /// The authority's acts on an agreement — file, suspend, resume, revoke — as the API and the console both
    /// perform them: who may, the reason each needs, the transition and its audit entry, in one place. Filing
    /// takes the data levels above 一般 the authority acknowledges the agreement shares.
    public func perform(_ act: AgreementAct, on id: String, reason: String?, acknowledgedLevels: [String] = [],
                        by principal: Principal) async throws -> SharingAgreement {
        guard principal.kind == .admin else { throw HubAPIError.forbidden(principal, "\(act.rawValue) agreement \(id)") }
        if act.needsReason || reason != nil {
            let reason = reason ?? ""
            guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, reason.count <= 1000 else {
                throw HubAPIError(.badRequest, "state a reason of 1 to 1000 characters", field: "reason")
            }
        }
        switch act {
        case .file: return try await file(id, by: principal, reason: reason, acknowledgedLevels: acknowledgedLevels)
        case .suspend: return try await transition(id, .suspend, event: "agreement.suspended", reason: reason ?? "", by: principal)
        case .resume: return try await transition(id, .resume, event: "agreement.resumed", reason: reason ?? "", by: principal)
        case .revoke: return try await transition(id, .revoke, event: "agreement.revoked", reason: reason ?? "", by: principal)
        }
    }

    /// Reads an agreement as `principal` may: an agency only one it is a party to.
    public func visibleAgreement(_ id: String, to principal: Principal) async throws -> SharingAgreement {
        guard let agreement = try await store.agreement(id: id) else { throw StoreError.notFound(what: "agreement \(id)") }
        if case let .agency(code) = principal, code != agreement.terms.provider, code != agreement.terms.consumer {
            throw HubAPIError.forbidden(principal, "read agreement \(id): not a party to it")
        }
        return agreement
    }

    func importAgreement(_ terms: AgreementTerms, by principal: Principal) async throws -> SharingAgreement {
        let record = "agreement \(terms.id)"
        guard let entry = try await store.catalogueEntry(resourceCode: terms.resourceCode, schemaVersion: terms.schemaVersion) else {
            throw InvalidInput(field: "resource", reason: "\(terms.resourceCode) version \(terms.schemaVersion) is not in the catalogue", record: record)
        }
        guard let provider = try await store.agency(code: terms.provider) else {
            throw InvalidInput(field: "provider", reason: "\(terms.provider) is not a registered agency", record: record)
        }
        guard let consumer = try await store.agency(code: terms.consumer) else {
            throw InvalidInput(field: "consumer", reason: "\(terms.consumer) is not a registered agency", record: record)
        }
        let terms = try terms.validated(entry: entry, provider: provider, consumer: consumer)
        if let previousID = terms.supersedes {
            guard let previous = try await store.agreement(id: previousID) else {
                throw InvalidInput(field: "supersedes", reason: "agreement \(previousID) does not exist", record: record)
            }
            guard previous.terms.provider == terms.provider, previous.terms.consumer == terms.consumer,
                  previous.terms.resourceCode == terms.resourceCode else {
                throw InvalidInput(field: "supersedes", reason: "agreement \(previousID) is for another pair or resource", record: record)
            }
        }
        let agreement = SharingAgreement(terms: terms)
        try await store.commit([.saveAgreement(agreement, expectedRevision: nil)],
                               audit: [audit(agreement, "agreement.imported", by: principal,
                                             details: ["content_digest": .string(terms.contentDigest.hex), "items": .integer(Int64(terms.items.count))])],
                               at: now())
        return agreement
    }

    func sign(_ id: String, _ body: HubAPI.Sign, by principal: Principal) async throws -> SharingAgreement {
        let agreement = try await visibleAgreement(id, to: principal)
        if let claimed = body.signer, claimed != principal.id {
            throw HubAPIError.forbidden(principal, "sign agreement \(id) as \(claimed)")
        }
        guard let der = Data(base64Encoded: body.signature), !der.isEmpty, der.count <= 256 else {
            throw HubAPIError(.badRequest, "expected a base64 DER SM2 signature", field: "signature")
        }
        guard let agency = try await store.agency(code: principal.id) else { throw StoreError.notFound(what: "agency \(principal.id)") }
        let time = now()
        let signed: SharingAgreement
        do {
            signed = try agreement.signed(by: principal.id, signature: [UInt8](der), key: try agency.unrevokedKey(at: Timestamp.string(from: time)), at: time)
        } catch let error as AgreementError {
            if case .badSignature = error {
                try await auditRefusal(audit(agreement, "agreement.signature_refused", by: principal,
                                             details: ["reason": .string(error.description)]), by: principal)
            }
            throw error
        }
        let role = signed.state == .signedByConsumer ? "consumer" : "provider"
        try await store.commit([.saveAgreement(signed, expectedRevision: agreement.revision)],
                               audit: [audit(signed, "agreement.signed", by: principal,
                                             details: ["role": .string(role), "content_digest": .string(signed.terms.contentDigest.hex)])],
                               at: time)
        return signed
    }

    /// Files (备案) a signed agreement: both signatures are checked again against the registered keys,
    /// the hub countersigns, and the agreement becomes active at once if its validity has begun. Items above
    /// 一般 are filed only with the authority's explicit acknowledgement of their levels, kept in the filing
    /// and its audit entry.
    func file(_ id: String, by principal: Principal, reason: String? = nil, acknowledgedLevels: [String] = []) async throws -> SharingAgreement {
        guard let agreement = try await store.agreement(id: id) else { throw StoreError.notFound(what: "agreement \(id)") }
        guard let consumer = try await store.agency(code: agreement.terms.consumer),
              let provider = try await store.agency(code: agreement.terms.provider) else {
            throw StoreError.notFound(what: "a party of agreement \(id)")
        }
        var filed = try agreement.applying(.file)
        guard let entry = try await store.catalogueEntry(resourceCode: agreement.terms.resourceCode, schemaVersion: agreement.terms.schemaVersion) else {
            throw StoreError.notFound(what: "catalogue entry \(agreement.terms.resourceCode) version \(agreement.terms.schemaVersion)")
        }
        let levels = try agreement.terms.acknowledgedLevels(acknowledgedLevels, entry: entry)
        // Each signature with the key its party had when signing: a rotation in between does not void it, a
        // revocation dated at or before the signature does.
        try agreement.verifySignatures(consumerKey: try consumer.unrevokedKey(at: agreement.consumerSignature?.signedAt ?? ""),
                                       providerKey: try provider.unrevokedKey(at: agreement.providerSignature?.signedAt ?? ""))
        let time = now()
        let signature = try key.signature(for: agreement.filingBytes)
        filed.filing = AgreementFiling(filedBy: principal.description, filedAt: Timestamp.string(from: time), signature: Data(signature).base64EncodedString(),
                                       acknowledgedLevels: levels.isEmpty ? nil : levels)
        var details: [String: CanonicalJSON] = ["content_digest": .string(filed.terms.contentDigest.hex),
                                                "filing_sm3": .string(SM3.digest(filed.filingBytes).hex)]
        if !levels.isEmpty { details["acknowledged_levels"] = .array(levels.map { .string($0) }) }
        try await store.commit([.saveAgreement(filed, expectedRevision: agreement.revision)],
                               audit: [audit(filed, "agreement.filed", by: principal,
                                             details: details.merging(reason.map { ["reason": .string($0)] } ?? [:]) { a, _ in a })],
                               at: time)
        let today = Timestamp.beijingDay(of: time)
        if filed.terms.validFrom <= today, today <= filed.terms.validUntil {
            return try await activate(id, by: principal)
        }
        return filed
    }

    /// Starts data flow under a filed agreement; an agreement it amends is superseded in the same transaction.
    func activate(_ id: String, by principal: Principal) async throws -> SharingAgreement {
        guard let agreement = try await store.agreement(id: id) else { throw StoreError.notFound(what: "agreement \(id)") }
        let active = try agreement.applying(.activate)
        let time = now()
        let today = Timestamp.beijingDay(of: time)
        guard agreement.terms.validFrom <= today, today <= agreement.terms.validUntil else {
            throw AgreementError.outsideValidity(agreement: id, validFrom: agreement.terms.validFrom, validUntil: agreement.terms.validUntil, today: today)
        }
        var changes: [HubChange] = [.saveAgreement(active, expectedRevision: agreement.revision)]
        var drafts = [audit(active, "agreement.activated", by: principal)]
        if let previousID = active.terms.supersedes, let previous = try await store.agreement(id: previousID), !previous.state.isFinal {
            var superseded = try previous.applying(.supersede, reason: "superseded by \(id)")
            superseded.supersededBy = id
            changes.append(.saveAgreement(superseded, expectedRevision: previous.revision))
            drafts.append(audit(superseded, "agreement.superseded", by: principal, details: ["superseded_by": .string(id)]))
        }
        try await store.commit(changes, audit: drafts, at: time)
        return active
    }

    func transition(_ id: String, _ action: AgreementAction, event: String, reason: String, by principal: Principal) async throws -> SharingAgreement {
        guard let agreement = try await store.agreement(id: id) else { throw StoreError.notFound(what: "agreement \(id)") }
        let next = try agreement.applying(action, reason: reason)
        if action == .resume {
            let today = Timestamp.beijingDay(of: now())
            guard today <= agreement.terms.validUntil else {
                throw AgreementError.outsideValidity(agreement: id, validFrom: agreement.terms.validFrom, validUntil: agreement.terms.validUntil, today: today)
            }
        }
        try await store.commit([.saveAgreement(next, expectedRevision: agreement.revision)],
                               audit: [audit(next, event, by: principal, details: ["reason": .string(reason)])], at: now())
        return next
    }

    /// Expires every live agreement whose validity has ended; returns the ids expired.
    @discardableResult
    public func expireDueAgreements(at time: Date = Date()) async throws -> [String] {
        let today = Timestamp.beijingDay(of: time)
        var expired: [String] = []
        for state in [AgreementState.filed, .active, .suspended] {
            for agreement in try await store.agreements(matching: AgreementQuery(state: state)) where agreement.terms.validUntil < today {
                let next = try agreement.applying(.expire, reason: "validity ended \(agreement.terms.validUntil)")
                do {
                    try await store.commit([.saveAgreement(next, expectedRevision: agreement.revision)],
                                           audit: [audit(next, "agreement.expired", by: .admin(name: "hub"),
                                                         details: ["valid_until": .string(agreement.terms.validUntil.description)])], at: time)
                    expired.append(agreement.id)
                } catch StoreError.conflict {
                    continue // another hub process got there first
                }
            }
        }
        return expired
    }

    func audit(_ agreement: SharingAgreement, _ action: String, by principal: Principal, details: [String: CanonicalJSON] = [:]) -> AuditDraft {
        var details = details
        details["state"] = .string(agreement.state.rawValue)
        return AuditDraft(actor: principal.description, action: action, subject: agreement.id, agreement: agreement.id,
                          agencies: [agreement.terms.provider, agreement.terms.consumer], details: details)
    }
}
