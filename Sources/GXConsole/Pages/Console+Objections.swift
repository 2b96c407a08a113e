import Foundation
import GXDomain
import GXHub
import GXStorage
import Hummingbird

extension Console {
    /// Objections (数据异议): an agency sees those it raised and those raised against its resources, with the
    /// `gx objection` commands that act on them (acts are the parties', signed in with their tokens); the
    /// admin and auditors see all, overdue and escalated ones marked.
    func addObjectionPages(to group: RouterGroup<HubRequestContext>) {
        page(group, .get, "objections", allow: Set(PrincipalKind.allCases)) { request, _, visitor, _ in try await objections(request, visitor) }
    }

    func objections(_ request: Request, _ visitor: Visitor) async throws -> Response {
        let parameters = request.uri.queryParameters
        var query = ObjectionQuery()
        if let state = parameters.get("state").flatMap({ $0.isEmpty ? nil : String($0.prefix(20)) }) {
            guard let parsed = ObjectionState(rawValue: state) else { throw ConsolePageError(.badRequest, "error.bad_filter", detail: "state") }
            query.state = parsed
        }
        let now = Timestamp.string(from: self.now())
        let overdueOnly = parameters.get("overdue") == "true"
        if overdueOnly { query.overdueAt = now }
        let found = try await ObjectionWorkflow(hub: hub).objections(query, for: visitor.principal)
        let names = Dictionary(try await hub.store.agencies().map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        let agency: String? = if case let .agency(code) = visitor.principal { code } else { nil }
        let rows: [[String: Any]] = found.reversed().map { o in
            let overdue = o.isOverdue(at: now)
            let badge = switch o.state {
            case .closed: "ok"
            case .escalated: "bad"
            case .open, .confirmed: "warn"
            case .rejected: ""
            }
            var answer = o.answer.map { text("objection_answer.\($0.decision.rawValue)", visitor) + ($0.reason.map { "：\($0)" } ?? "") } ?? ""
            if let batch = o.closedBy { answer += (answer.isEmpty ? "" : " · ") + text("objections.closed_by", visitor) + " " + batch }
            return [
                "id": o.id, "state": text("objection_state.\(o.state.rawValue)", visitor), "badge": badge,
                "agreementHref": "\(Self.prefix)/agreements/\(Self.pathEscaped(o.agreement))", "agreement": o.agreement, "resource": o.resourceCode,
                "consumer": names[o.consumer] ?? o.consumer, "provider": names[o.provider] ?? o.provider,
                "role": agency.map { text($0 == o.consumer ? "objections.role_raised" : "objections.role_received", visitor) } ?? "",
                "key": o.keyText, "items": o.items.joined(separator: "、"), "problem": o.problem, "evidence": o.evidence ?? "",
                "deadline": o.deadline, "overdue": overdue, "answer": answer,
                "canAnswer": agency == o.provider && o.state.awaitsAnswer,
                "answerHref": "\(Self.prefix)/objections/\(Self.pathEscaped(o.id))/answer",
            ]
        }
        let states: [[String: Any]] = ObjectionState.allCases.map {
            ["value": $0.rawValue, "label": text("objection_state.\($0.rawValue)", visitor), "selected": query.state == $0]
        }
        // An act just done, named only if the visitor may see that objection (the link cannot put words on the page).
        var done = ""
        if let act = parameters.get("done"), ["raised", "confirmed", "rejected"].contains(act), let id = Self.filterText(request, "objection"),
           let shown = try? await ObjectionWorkflow(hub: hub).visibleObjection(id, to: visitor.principal) {
            done = "\(text("objection_act.done_\(act)", visitor)) \(shown.id)"
        }
        var raiseUnder: [[String: Any]] = []
        if let agency {
            raiseUnder = try await hub.store.agreements(matching: AgreementQuery(consumer: agency, state: .active))
                .filter { $0.terms.method.deliversBatches }.map {
                ["id": $0.id, "href": "\(Self.prefix)/objections/raise?agreement=\(Self.pathEscaped($0.id))"]
            }
        }
        return render("objections", title: text("objections.title", visitor), [
            "done": done, "raiseUnder": raiseUnder, "canRaise": !raiseUnder.isEmpty,
            "rows": rows, "count": rows.count, "empty": rows.isEmpty, "states": states, "overdueOnly": overdueOnly,
            "isAgency": agency != nil, "showParties": agency == nil,
            "overdueCount": found.filter { $0.isOverdue(at: now) }.count,
            "hub": hubAddress(request),
        ], for: visitor)
    }
}
