import Foundation
import GXDomain
import GXHub
import GXStorage
import Hummingbird

/// Demand pages (共享需求): the authority sees every demand with the overdue ones marked; an agency its own,
/// as consumer and as provider. Each page shows the `gx demand …` command for the acts the visitor may
/// take; the acts themselves run through `DemandWorkflow`, as from the API.
extension Console {
    func addDemandPages(to group: RouterGroup<HubRequestContext>) {
        page(group, .get, "demands", allow: Set(PrincipalKind.allCases)) { request, _, visitor, _ in
            try await demands(visitor, overdueOnly: request.uri.queryParameters.get("overdue") != nil)
        }
        page(group, .get, "demands/:id", allow: Set(PrincipalKind.allCases)) { request, context, visitor, _ in
            try await demand(try context.parameters.require("id"), visitor, hubAddress: hubAddress(request))
        }
    }

    func demandStateLabel(_ state: DemandState, _ visitor: Visitor) -> String { text("demand_state.\(state.rawValue)", visitor) }

    func demands(_ visitor: Visitor, overdueOnly: Bool) async throws -> Response {
        let workflow = DemandWorkflow(hub: hub)
        let stamp = Timestamp.string(from: now())
        let all = try await workflow.demands(DemandQuery(), for: visitor.principal)
        let names = Dictionary(try await hub.store.agencies().map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        func row(_ demand: SharingDemand) -> [String: Any] {
            var row: [String: Any] = [
                "id": demand.id, "href": "\(Self.prefix)/demands/\(Self.pathEscaped(demand.id))",
                "consumer": names[demand.consumer] ?? demand.consumer, "provider": names[demand.provider] ?? demand.provider,
                "resource": demand.resourceCode, "state": demandStateLabel(demand.state, visitor), "stateClass": demand.state.rawValue,
                "submitted": String(demand.submittedAt.prefix(10)), "deadline": demand.deadline.map { String($0.prefix(16)).replacingOccurrences(of: "T", with: " ") } ?? "",
                "overdue": demand.isOverdue(at: stamp),
            ]
            if let awaiting = demand.awaiting { row["awaiting"] = awaiting == "authority" ? text("demands.authority", visitor) : (names[awaiting] ?? awaiting) }
            if let agreement = demand.agreement { row["agreement"] = agreement; row["agreementHref"] = "\(Self.prefix)/agreements/\(Self.pathEscaped(agreement))" }
            return row
        }
        let shown = overdueOnly ? all.filter { $0.isOverdue(at: stamp) } : all
        let overdueCount = all.filter { $0.isOverdue(at: stamp) }.count
        var values: [String: Any] = ["overdueCount": overdueCount, "hasOverdue": overdueCount > 0, "overdueOnly": overdueOnly]
        if case let .agency(code) = visitor.principal {
            let asConsumer = shown.filter { $0.consumer == code }.map(row), asProvider = shown.filter { $0.provider == code }.map(row)
            values["agency"] = true
            values["asConsumer"] = asConsumer
            values["asProvider"] = asProvider
            values["noConsumer"] = asConsumer.isEmpty
            values["noProvider"] = asProvider.isEmpty
        } else {
            let rows = shown.map(row)
            values["rows"] = rows
            values["empty"] = rows.isEmpty
        }
        return render("demands", title: text("demands.title", visitor), values, for: visitor)
    }

    func demand(_ id: String, _ visitor: Visitor, hubAddress: String) async throws -> Response {
        let demand = try await DemandWorkflow(hub: hub).visibleDemand(id, to: visitor.principal)
        let names = Dictionary(try await hub.store.agencies().map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        let request = demand.request
        let refused = Dictionary(demand.reply?.refusedItems.map { ($0.item, $0.reason) } ?? [], uniquingKeysWith: { a, _ in a })
        var values: [String: Any] = [
            "id": id, "state": demandStateLabel(demand.state, visitor), "stateClass": demand.state.rawValue,
            "consumer": names[demand.consumer] ?? demand.consumer, "consumerCode": demand.consumer,
            "provider": names[demand.provider] ?? demand.provider, "providerCode": demand.provider,
            "resource": demand.resourceCode, "schemaVersion": demand.schemaVersion,
            "sharingType": demand.sharingType.rawValue, "purpose": request.purpose,
            "frequency": request.frequency?.rawValue ?? "", "method": request.method?.rawValue ?? "",
            "validity": "\(request.validFrom) – \(request.validUntil)", "submitted": demand.submittedAt,
            "items": request.items.map { item -> [String: Any] in
                var row: [String: Any] = ["name": item]
                if let reason = refused[item] { row["refused"] = reason }
                return row
            },
            "overdue": demand.isOverdue(at: Timestamp.string(from: now())),
        ]
        for (key, value) in [("basis", request.basis), ("deadline", demand.deadline), ("stateReason", demand.stateReason)] {
            if let value { values[key] = value }
        }
        func decision(_ decision: String, _ by: String?, _ at: String?, _ reason: String?) -> [String: Any] {
            var values: [String: Any] = ["decision": text("demand.decision_\(decision)", visitor), "by": by ?? "", "at": at ?? ""]
            if let reason { values["reason"] = reason }
            return values
        }
        if let review = demand.review { values["review"] = decision(review.decision.rawValue, review.by, review.at, review.reason) }
        if let reply = demand.reply { values["reply"] = decision(reply.decision.rawValue, reply.by, reply.at, reply.reason) }
        if let awaiting = demand.awaiting { values["awaiting"] = awaiting == "authority" ? text("demands.authority", visitor) : (names[awaiting] ?? awaiting) }
        if let agreement = demand.agreement {
            values["agreement"] = agreement
            values["agreementHref"] = "\(Self.prefix)/agreements/\(Self.pathEscaped(agreement))"
        }
        let commands = Self.demandCommands(demand, for: visitor.principal, hub: hubAddress)
        values["commands"] = commands.map { ["label": text("demand.command_\($0.act)", visitor), "command": $0.command] }
        values["hasCommands"] = !commands.isEmpty
        return render("demand", title: "\(text("demand.title", visitor)) \(id)", values, for: visitor)
    }

    /// The `gx demand …` commands for the acts `principal` may take on the demand now.
    static func demandCommands(_ demand: SharingDemand, for principal: Principal, hub: String) -> [(act: String, command: String)] {
        let id = demand.id
        let token = principal.kind == .admin ? "admin.token" : "<your-agency>.token"
        func gx(_ arguments: String) -> String { "gx demand \(arguments) --hub \(hub) --token-file \(token)" }
        var commands: [(act: String, command: String)] = []
        switch (principal, demand.state) {
        case (.admin, .submitted), (.admin, .underReview):
            if demand.state == .submitted { commands.append(("take", gx("review \(id) take"))) }
            commands.append(demand.sharingType == .conditional ? ("forward", gx("review \(id) forward")) : ("grant", gx("review \(id) grant")))
            commands.append(("refuse", gx("review \(id) refuse --reason \"…\"")))
        case let (.agency(code), .forwarded) where code == demand.provider:
            commands.append(("accept", gx("reply \(id) accept")))
            commands.append(("accept_fewer", gx("reply \(id) accept-fewer --refuse-item \"ITEM=REASON\"")))
            commands.append(("reply_refuse", gx("reply \(id) refuse --reason \"…\"")))
        default:
            break
        }
        if case let .agency(code) = principal, code == demand.consumer, demand.state.isOpen {
            commands.append(("withdraw", gx("withdraw \(id) --reason \"…\"")))
        }
        if demand.agreement != nil, principal.kind != .auditor {
            commands.append(("terms", gx("terms \(id)")))
        }
        return commands
    }
}
