import Foundation
import GXDomain
import GXHub
import GXStorage
import Hummingbird

/// Raising and answering an objection (数据异议) from the console: the consumer raises, the provider answers,
/// each through the same `ObjectionWorkflow` as `gx objection` and `/v1/objections` (the same checks, audit
/// entries and answer clock), with the CSRF token, a confirmation and, for a rejection, its reason.
extension Console {
    func addObjectionActPages(to group: RouterGroup<HubRequestContext>) {
        page(group, .get, "objections/raise", allow: [.agency]) { request, _, visitor, _ in
            let agreement = try await raisable(Self.filterText(request, "agreement") ?? "", visitor)
            return try await raisePage(agreement, visitor, form: ConsoleForm(), error: nil)
        }
        page(group, .post, "objections/raise", allow: [.agency]) { _, _, visitor, form in
            let agreement = try await raisable(form["agreement"] ?? "", visitor)
            guard form["confirm"] == "yes" else {
                return try await raisePage(agreement, visitor, form: form, error: text("act.confirm_missing", visitor), status: .badRequest)
            }
            let entry = try await keyItems(of: agreement)
            let key = entry.indices.map { (form["key_\($0)"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
            let items = agreement.terms.items.indices.filter { form["item_\($0)"] == "yes" }.map { agreement.terms.items[$0] }
            let evidence = (form["evidence"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let request = ObjectionRequest(agreement: agreement.id, key: key, items: items, problem: form["problem"] ?? "",
                                           evidence: evidence.isEmpty ? nil : evidence)
            let raised: Objection
            do {
                raised = try await ObjectionWorkflow(hub: hub).raise(request, by: visitor.principal, at: now())
            } catch let error as InvalidInput {
                return try await raisePage(agreement, visitor, form: form, error: error.description, status: .badRequest)
            }
            return Self.redirect(to: "\(Self.prefix)/objections?done=raised&objection=\(Self.pathEscaped(raised.id))")
        }
        page(group, .get, "objections/:id/answer", allow: [.agency]) { _, context, visitor, _ in
            let objection = try await answerable(try context.parameters.require("id"), visitor)
            return answerPage(objection, visitor, form: ConsoleForm(), error: nil)
        }
        page(group, .post, "objections/:id/answer", allow: [.agency]) { _, context, visitor, form in
            let objection = try await answerable(try context.parameters.require("id"), visitor)
            guard let decision = form["decision"].flatMap(ObjectionAnswer.Decision.init(rawValue:)) else {
                return answerPage(objection, visitor, form: form, error: text("objection_act.decision_missing", visitor), status: .badRequest)
            }
            guard form["confirm"] == "yes" else {
                return answerPage(objection, visitor, form: form, error: text("act.confirm_missing", visitor), status: .badRequest)
            }
            do {
                _ = try await ObjectionWorkflow(hub: hub).answer(objection.id, ObjectionAnswer(decision: decision, reason: form["reason"]),
                                                                 by: visitor.principal, at: now())
            } catch let error as InvalidInput {
                return answerPage(objection, visitor, form: form, error: error.description, status: .badRequest)
            } catch let error as ObjectionError {
                return answerPage(objection, visitor, form: form, error: error.description, status: .conflict)
            }
            return Self.redirect(to: "\(Self.prefix)/objections?done=\(decision.rawValue)&objection=\(Self.pathEscaped(objection.id))")
        }
    }

    /// The agreement the visitor may raise an objection under: one it consumes (the workflow checks the rest).
    func raisable(_ id: String, _ visitor: Visitor) async throws -> SharingAgreement {
        guard !id.isEmpty, id.count <= 100 else { throw ConsolePageError(.badRequest, "error.bad_filter", detail: "agreement") }
        let agreement = try await hub.visibleAgreement(id, to: visitor.principal)
        guard agreement.terms.consumer == visitor.principal.id else { throw ConsolePageError(.forbidden, "error.forbidden") }
        return agreement
    }

    func keyItems(of agreement: SharingAgreement) async throws -> [InformationItem] {
        guard let entry = try await hub.store.catalogueEntry(resourceCode: agreement.terms.resourceCode, schemaVersion: nil) else {
            throw StoreError.notFound(what: "catalogue entry \(agreement.terms.resourceCode)")
        }
        return entry.keyItems
    }

    /// The objection the visitor may answer: one raised against its resource (the workflow checks its state).
    func answerable(_ id: String, _ visitor: Visitor) async throws -> Objection {
        let objection = try await ObjectionWorkflow(hub: hub).visibleObjection(id, to: visitor.principal)
        guard objection.provider == visitor.principal.id else { throw ConsolePageError(.forbidden, "error.forbidden") }
        return objection
    }

    func raisePage(_ agreement: SharingAgreement, _ visitor: Visitor, form: ConsoleForm, error: String?,
                   status: HTTPResponse.Status = .ok) async throws -> Response {
        let keys = try await keyItems(of: agreement)
        var values: [String: Any] = [
            "id": agreement.id, "back": "\(Self.prefix)/agreements/\(Self.pathEscaped(agreement.id))", "csrf": visitor.csrfToken,
            "state": stateLabel(agreement.state, visitor), "active": agreement.state == .active, "resource": agreement.terms.resourceCode,
            "keys": keys.enumerated().map { ["field": "key_\($0.offset)", "name": $0.element.name, "value": form["key_\($0.offset)"] ?? ""] },
            "items": agreement.terms.items.enumerated().map {
                ["field": "item_\($0.offset)", "name": $0.element, "checked": form["item_\($0.offset)"] == "yes"]
            },
            "problem": form["problem"] ?? "", "evidence": form["evidence"] ?? "",
        ]
        if let error { values["error"] = error }
        return render("objection-raise", title: "\(text("objection_act.raise", visitor)) \(agreement.id)", values, for: visitor, status: status)
    }

    func answerPage(_ objection: Objection, _ visitor: Visitor, form: ConsoleForm, error: String?, status: HTTPResponse.Status = .ok) -> Response {
        var values: [String: Any] = [
            "id": objection.id, "agreement": objection.agreement, "key": objection.keyText, "items": objection.items.joined(separator: "、"),
            "problem": objection.problem, "evidence": objection.evidence ?? "", "deadline": objection.deadline,
            "state": text("objection_state.\(objection.state.rawValue)", visitor), "open": objection.state.awaitsAnswer,
            "csrf": visitor.csrfToken, "action": "\(Self.prefix)/objections/\(Self.pathEscaped(objection.id))/answer",
            "confirmed": form["decision"] == "confirmed", "rejected": form["decision"] == "rejected", "reason": form["reason"] ?? "",
        ]
        if let error { values["error"] = error }
        return render("objection-answer", title: "\(text("objection_act.answer", visitor)) \(objection.id)", values, for: visitor, status: status)
    }
}
