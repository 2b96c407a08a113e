import Foundation
import GXDomain
import GXStorage

/// The demand (共享需求) workflow: submission, the authority's review, the provider's reply, withdrawal, and
/// the draft agreement a grant becomes. Each act is checked for its party and state, and stored with its
/// audit entry in one transaction. Routes and the console both drive it.
public struct DemandWorkflow: Sendable {
    /// The default review and reply limits; a hub's own are `Hub.demandTimeLimits`.
    public static let reviewWorkingDays = DemandTimeLimits.standard.reviewWorkingDays
    public static let replyWorkingDays = DemandTimeLimits.standard.replyWorkingDays

    let hub: Hub
    var store: any HubStore { hub.store }

    public init(hub: Hub) { self.hub = hub }

    // MARK: Reading

    /// A demand the principal may see: the admin and auditors see all, an agency only those it is party to.
    public func visibleDemand(_ id: String, to principal: Principal) async throws -> SharingDemand {
        guard let demand = try await store.demand(id: id) else { throw StoreError.notFound(what: "demand \(id)") }
        if case let .agency(code) = principal, code != demand.consumer, code != demand.provider {
            throw HubAPIError.forbidden(principal, "read demand \(id): not a party to it")
        }
        return demand
    }

    public func demands(_ query: DemandQuery, for principal: Principal) async throws -> [SharingDemand] {
        var query = query
        if case let .agency(code) = principal { query.party = code }
        return try await store.demands(matching: query)
    }

    /// Undecided demands whose time limit has passed at `time`.
    public func overdue(at time: Date) async throws -> [SharingDemand] {
        try await store.demands(matching: DemandQuery(overdueAt: Timestamp.string(from: time)))
    }

    // MARK: Acts

    /// The consumer submits; a 不予共享 resource is refused at once, naming the catalogue's basis.
    public func submit(_ request: DemandRequest, by principal: Principal, at time: Date) async throws -> SharingDemand {
        guard case let .agency(code) = principal else { throw HubAPIError.forbidden(principal, "submit a demand: only an agency asks for data") }
        guard let consumer = try await store.agency(code: code), consumer.roles.contains(.consumer) else {
            throw HubAPIError.forbidden(principal, "submit a demand: \(code) is not registered as a consumer")
        }
        guard let entry = try await store.catalogueEntry(resourceCode: request.resourceCode, schemaVersion: nil) else {
            throw InvalidInput(field: "resource", reason: "\(request.resourceCode) is not in the catalogue")
        }
        guard entry.provider != code else {
            throw InvalidInput(field: "resource", reason: "\(entry.resourceCode) is \(code)'s own resource")
        }
        let checked = try SharingDemand.checked(request, entry: entry)
        let stamp = Timestamp.string(from: time)
        let reviewDeadline = Timestamp.string(from: hub.calendar.deadline(from: time, workingDays: hub.demandTimeLimits.reviewWorkingDays))
        return try await withNextID(prefix: "XQ", year: Timestamp.beijingDay(of: time).year, existing: { try await store.demands(matching: DemandQuery()).map(\.id) }) { id in
            let demand = SharingDemand(id: id, consumer: code, provider: entry.provider, schemaVersion: entry.schemaVersion, request: checked,
                                       sharingType: entry.sharingType, submittedAt: stamp, deadline: reviewDeadline)
            var drafts = [audit(demand, "demand.submitted", by: principal, details: ["items": .integer(Int64(checked.items.count))])]
            var stored = demand
            if entry.sharingType == .notShared {
                stored = demand.refusedOnSubmission(entry: entry)
                drafts.append(audit(stored, "demand.refused", by: .admin(name: "hub"), details: ["reason": .string(stored.stateReason ?? "")]))
            }
            try await store.commit([.saveDemand(stored, expectedRevision: nil)], audit: drafts, at: time)
            return stored
        }
    }

    /// The consumer withdraws its own undecided demand.
    public func withdraw(_ id: String, reason: String?, by principal: Principal, at time: Date) async throws -> SharingDemand {
        let demand = try await visibleDemand(id, to: principal)
        guard principal.id == demand.consumer, principal.kind == .agency else {
            throw DemandError.wrongParty(demand: id, act: "withdraw it", expected: demand.consumer, got: principal.id)
        }
        let next = try demand.withdrawn(reason: reason)
        try await store.commit([.saveDemand(next, expectedRevision: demand.revision)],
                               audit: [audit(next, "demand.withdrawn", by: principal, details: next.stateReason.map { ["reason": .string($0)] } ?? [:])],
                               at: time)
        return next
    }

    /// The authority reviews: takes it up, grants (无条件共享), forwards (有条件共享) or refuses with a reason.
    public func review(_ id: String, _ review: DemandReview, by principal: Principal, at time: Date) async throws -> SharingDemand {
        guard principal.kind == .admin else { throw HubAPIError.forbidden(principal, "review demand \(id): the authority reviews") }
        guard let demand = try await store.demand(id: id) else { throw StoreError.notFound(what: "demand \(id)") }
        var review = review
        review.by = principal.description
        review.at = Timestamp.string(from: time)
        let replyDeadline = Timestamp.string(from: hub.calendar.deadline(from: time, workingDays: hub.demandTimeLimits.replyWorkingDays))
        let next = try demand.reviewed(review, replyDeadline: replyDeadline)
        var details: [String: CanonicalJSON] = ["decision": .string(review.decision.rawValue)]
        if let reason = next.review?.reason { details["reason"] = .string(reason) }
        if let deadline = next.deadline, next.state == .forwarded { details["reply_deadline"] = .string(deadline) }
        return try await decide(demand, next, event: "demand.reviewed", details: details, by: principal, at: time)
    }

    /// The provider replies to a forwarded demand.
    public func reply(_ id: String, _ reply: DemandReply, by principal: Principal, at time: Date) async throws -> SharingDemand {
        let demand = try await visibleDemand(id, to: principal)
        guard principal.kind == .agency, principal.id == demand.provider else {
            throw DemandError.wrongParty(demand: id, act: "reply", expected: demand.provider, got: principal.id)
        }
        guard let entry = try await store.catalogueEntry(resourceCode: demand.resourceCode, schemaVersion: demand.schemaVersion) else {
            throw StoreError.notFound(what: "catalogue entry \(demand.resourceCode) \(demand.schemaVersion)")
        }
        var reply = reply
        reply.by = principal.description
        reply.at = Timestamp.string(from: time)
        let next = try demand.replied(reply, keyItems: Set(entry.keyItems.map(\.name)))
        var details: [String: CanonicalJSON] = ["decision": .string(reply.decision.rawValue)]
        if !reply.refusedItems.isEmpty { details["refused_items"] = .array(reply.refusedItems.map { .string($0.item) }) }
        if let reason = next.reply?.reason { details["reason"] = .string(reason) }
        return try await decide(demand, next, event: "demand.replied", details: details, by: principal, at: time)
    }

    /// Stores a decision; a grant draws up the draft agreement in the same transaction.
    func decide(_ demand: SharingDemand, _ next: SharingDemand, event: String, details: [String: CanonicalJSON],
                by principal: Principal, at time: Date) async throws -> SharingDemand {
        guard next.state == .granted || next.state == .partiallyGranted else {
            try await store.commit([.saveDemand(next, expectedRevision: demand.revision)],
                                   audit: [audit(next, event, by: principal, details: details)], at: time)
            return next
        }
        guard let entry = try await store.catalogueEntry(resourceCode: demand.resourceCode, schemaVersion: demand.schemaVersion),
              let provider = try await store.agency(code: demand.provider), let consumer = try await store.agency(code: demand.consumer) else {
            throw StoreError.notFound(what: "the catalogue entry or a party of demand \(demand.id)")
        }
        let year = Timestamp.beijingDay(of: time).year
        return try await withNextID(prefix: "BJ-GX", year: year, existing: { try await store.agreements(matching: AgreementQuery()).map(\.id) }) { agreementID in
            let terms = try next.draftTerms(id: agreementID, entry: entry, providerName: provider.name, consumerName: consumer.name)
                .validated(entry: entry, provider: provider, consumer: consumer)
            var granted = next
            granted.agreement = agreementID
            let agreement = SharingAgreement(terms: terms)
            try await store.commit([.saveDemand(granted, expectedRevision: demand.revision), .saveAgreement(agreement, expectedRevision: nil)],
                                   audit: [audit(granted, event, by: principal, details: details),
                                           hub.audit(agreement, "agreement.drafted", by: principal,
                                                     details: ["demand": .string(demand.id), "content_digest": .string(terms.contentDigest.hex),
                                                               "items": .integer(Int64(terms.items.count))])],
                                   at: time)
            return granted
        }
    }

    /// Runs `body` with the next free `PREFIX-YYYY-NNN` identifier; another hub process taking the same one
    /// first makes the store refuse it as a duplicate, and the next is tried.
    func withNextID<T>(prefix: String, year: Int, existing: () async throws -> [String], _ body: (String) async throws -> T) async throws -> T {
        let stem = "\(prefix)-\(year)-"
        for _ in 0..<5 {
            let taken = try await existing().compactMap { $0.hasPrefix(stem) ? Int($0.dropFirst(stem.count).prefix(while: \.isNumber)) : nil }
            let next = (taken.max() ?? 0) + 1
            let number = String(next)
            let id = stem + String(repeating: "0", count: max(0, 3 - number.count)) + number
            do {
                return try await body(id)
            } catch StoreError.duplicate {
                continue
            }
        }
        throw StoreError.conflict(what: "the next \(stem)NNN identifier")
    }

    func audit(_ demand: SharingDemand, _ action: String, by principal: Principal, details: [String: CanonicalJSON] = [:]) -> AuditDraft {
        var details = details
        details["state"] = .string(demand.state.rawValue)
        details["resource"] = .string(demand.resourceCode)
        if let deadline = demand.deadline { details["deadline"] = .string(deadline) }
        return AuditDraft(actor: principal.description, action: action, subject: demand.id, agreement: demand.agreement,
                          agencies: [demand.provider, demand.consumer], details: details)
    }
}
