import Foundation
import GXDomain
import GXStorage

/// The objection (数据异议) workflow: a consumer raises an objection on a record it received, the provider
/// answers (confirmed or rejected with a reason) within `Hub.objectionAnswerWorkingDays` working days, an
/// unanswered one past its deadline is escalated to the authority by the hub's maintenance loop, and a
/// confirmed one is closed by the provider's next accepted batch carrying its key (see `closings`). Each
/// act is stored with its audit entry in one transaction. Routes and the console both drive it.
public struct ObjectionWorkflow: Sendable {
    let hub: Hub
    var store: any HubStore { hub.store }

    public init(hub: Hub) { self.hub = hub }

    // MARK: Reading

    /// An objection the principal may see: the admin and auditors see all, an agency only those it is party to.
    public func visibleObjection(_ id: String, to principal: Principal) async throws -> Objection {
        guard let objection = try await store.objection(id: id) else { throw StoreError.notFound(what: "objection \(id)") }
        if case let .agency(code) = principal, code != objection.consumer, code != objection.provider {
            throw HubAPIError.forbidden(principal, "read objection \(id): not a party to it")
        }
        return objection
    }

    /// Objections the principal may see that match `query`; an agency sees those it raised or that are raised
    /// against it — and, with `flagged` and an `agreement` it is party to, every consumer's objections flagging
    /// records of that agreement's resource (the flag is for every consumer of the resource). Another
    /// consumer's objection shows its key, items and state, not what it said (problem, evidence, answer).
    public func objections(_ query: ObjectionQuery, for principal: Principal) async throws -> [Objection] {
        var query = query
        guard case let .agency(code) = principal else { return try await store.objections(matching: query) }
        guard query.flagged, let id = query.agreement else {
            query.party = code
            return try await store.objections(matching: query)
        }
        guard let agreement = try await store.agreement(id: id), agreement.terms.consumer == code || agreement.terms.provider == code else {
            throw HubAPIError.forbidden(principal, "list the disputed records of agreement \(id): not a party to it")
        }
        query.agreement = nil
        query.resourceCode = agreement.terms.resourceCode
        return try await store.objections(matching: query).map { objection in
            guard objection.consumer != code, objection.provider != code else { return objection }
            var flag = objection
            flag.problem = ""
            flag.evidence = nil
            flag.answer = flag.answer.map { ObjectionAnswer(decision: $0.decision) }
            return flag
        }
    }

    /// Objections awaiting the provider's answer whose deadline has passed at `time`.
    public func overdue(at time: Date) async throws -> [Objection] {
        try await store.objections(matching: ObjectionQuery(overdueAt: Timestamp.string(from: time)))
    }

    // MARK: Acts

    /// The consumer raises an objection under an active agreement it consumes. The hub accepts it at once and
    /// the record is flagged for every consumer of the resource; the provider's answer clock starts.
    public func raise(_ request: ObjectionRequest, by principal: Principal, at time: Date) async throws -> Objection {
        guard case let .agency(code) = principal else { throw HubAPIError.forbidden(principal, "raise an objection: only a consumer agency does") }
        guard let agreement = try await store.agreement(id: request.agreement) else {
            throw InvalidInput(field: "agreement", reason: "no agreement \(request.agreement)")
        }
        guard agreement.terms.consumer == code else {
            throw HubAPIError.forbidden(principal, "raise an objection under \(agreement.id): its consumer is \(agreement.terms.consumer)")
        }
        guard agreement.state == .active else {
            throw InvalidInput(field: "agreement", reason: "\(agreement.id) is \(agreement.state.rawValue); objections are raised under an active agreement")
        }
        guard let entry = try await store.catalogueEntry(resourceCode: agreement.terms.resourceCode, schemaVersion: nil) else {
            throw StoreError.notFound(what: "catalogue entry \(agreement.terms.resourceCode)")
        }
        let checked = try Objection.checked(request, terms: agreement.terms, entry: entry)
        let keyText = Objection.keyText(checked.key)
        if let pending = try await store.objections(matching: ObjectionQuery(consumer: code, agreement: agreement.id, flagged: true))
            .first(where: { $0.keyText == keyText }) {
            throw InvalidInput(field: "key", reason: "objection \(pending.id) on this record is still \(pending.state.rawValue)")
        }
        let stamp = Timestamp.string(from: time)
        let deadline = Timestamp.string(from: hub.calendar.deadline(from: time, workingDays: hub.objectionAnswerWorkingDays))
        let ids = DemandWorkflow(hub: hub)
        return try await ids.withNextID(prefix: "YY", year: Timestamp.beijingDay(of: time).year,
                                        existing: { try await store.objections(matching: ObjectionQuery()).map(\.id) }) { id in
            let objection = Objection(id: id, consumer: code, provider: agreement.terms.provider, agreement: agreement.id,
                                      resourceCode: agreement.terms.resourceCode, key: checked.key, items: checked.items,
                                      problem: checked.problem, evidence: checked.evidence, raisedAt: stamp, deadline: deadline)
            try await store.commit([.saveObjection(objection, expectedRevision: nil)],
                                   audit: [Self.audit(objection, "objection.raised", by: principal,
                                                      details: ["items": .array(checked.items.map { .string($0) })])],
                                   at: time)
            return objection
        }
    }

    /// The provider answers an open (or escalated) objection: confirmed, or rejected with a reason.
    public func answer(_ id: String, _ answer: ObjectionAnswer, by principal: Principal, at time: Date) async throws -> Objection {
        let objection = try await visibleObjection(id, to: principal)
        guard principal.kind == .agency, principal.id == objection.provider else {
            throw ObjectionError.wrongParty(objection: id, act: "answer it", expected: objection.provider, got: principal.id)
        }
        var answer = answer
        answer.by = principal.description
        answer.at = Timestamp.string(from: time)
        let next = try objection.answered(answer)
        var details: [String: CanonicalJSON] = ["decision": .string(answer.decision.rawValue), "in_time": .bool(next.answeredInTime ?? false)]
        if let reason = next.answer?.reason { details["reason"] = .string(reason) }
        try await store.commit([.saveObjection(next, expectedRevision: objection.revision)],
                               audit: [Self.audit(next, "objection.answered", by: principal, details: details)], at: time)
        return next
    }

    /// Puts every open objection past its deadline at `time` before the authority, each with its audit
    /// entry; run by the hub's maintenance loop. Returns those escalated.
    @discardableResult
    public func escalateOverdue(at time: Date) async throws -> [Objection] {
        var escalated: [Objection] = []
        let stamp = Timestamp.string(from: time)
        for objection in try await store.objections(matching: ObjectionQuery(state: .open, overdueAt: stamp)) {
            let next = try objection.escalated(at: stamp)
            do {
                try await store.commit([.saveObjection(next, expectedRevision: objection.revision)],
                                       audit: [Self.audit(next, "objection.escalated", by: .admin(name: "hub"))], at: time)
                escalated.append(next)
            } catch StoreError.conflict {
                continue // answered meanwhile, or escalated by another hub process
            }
        }
        return escalated
    }

    // MARK: Closing by a batch

    /// The confirmed objections against `provider`'s `resource`, by key text: what an arriving batch is
    /// watched for. Empty (and cheap) when there are none.
    static func awaitingCorrection(resource: String, provider: String, store: any HubStore) async throws -> [String: [Objection]] {
        let confirmed = try await store.objections(matching: ObjectionQuery(provider: provider, resourceCode: resource, state: .confirmed))
        return Dictionary(grouping: confirmed, by: \.keyText)
    }

    /// The changes and audit entries that close the objections whose keys the accepted batch `batch`
    /// carried; committed in the batch's own transaction.
    static func closings(_ objections: [Objection], by batch: String, at time: Date) throws -> (changes: [HubChange], audit: [AuditDraft]) {
        let stamp = Timestamp.string(from: time)
        var changes: [HubChange] = []
        var audit: [AuditDraft] = []
        for objection in objections {
            let closed = try objection.closed(by: batch, at: stamp)
            changes.append(.saveObjection(closed, expectedRevision: objection.revision))
            audit.append(Self.audit(closed, "objection.closed", by: .admin(name: "hub"), details: ["batch": .string(batch)]))
        }
        return (changes, audit)
    }

    /// The key is personal data: the entry names the objection, which holds it, not the key itself.
    static func audit(_ objection: Objection, _ action: String, by principal: Principal, details: [String: CanonicalJSON] = [:]) -> AuditDraft {
        var details = details
        details["state"] = .string(objection.state.rawValue)
        details["resource"] = .string(objection.resourceCode)
        details["deadline"] = .string(objection.deadline)
        return AuditDraft(actor: principal.description, action: action, subject: objection.id, agreement: objection.agreement,
                          agencies: [objection.provider, objection.consumer], details: details)
    }
}
