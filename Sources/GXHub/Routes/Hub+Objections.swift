import Foundation
import GXDomain
import GXStorage
import Hummingbird

extension Hub {
    func addObjectionRoutes(to router: Router<HubRequestContext>) {
        let workflow = ObjectionWorkflow(hub: self)

        router.on(.post, "/v1/objections", allow: [.agency]) { request, context, principal in
            let body = try await request.decodeBody(ObjectionRequest.self, context: context)
            let time = now()
            let objection = try await workflow.raise(body, by: principal, at: time)
            return try JSONResponse.make(HubAPI.ObjectionView(objection: objection, now: Timestamp.string(from: time)), status: .created)
        }

        router.on(.get, "/v1/objections", allow: [.admin, .auditor, .agency]) { request, context, principal in
            let time = Timestamp.string(from: now())
            let parameters = QueryParameters(request, context)
            var query = ObjectionQuery(consumer: try parameters.text("consumer"), provider: try parameters.text("provider"),
                                       agreement: try parameters.text("agreement"), resourceCode: try parameters.text("resource"))
            if let state = try parameters.text("state") {
                guard let parsed = ObjectionState(rawValue: state) else {
                    throw HubAPIError(.badRequest, "unknown state '\(state)'; use one of \(ObjectionState.allCases.map(\.rawValue).joined(separator: ", "))", field: "state")
                }
                query.state = parsed
            }
            query.flagged = try Self.flag(parameters, "flagged")
            if try Self.flag(parameters, "overdue") { query.overdueAt = time }
            let objections = try await workflow.objections(query, for: principal)
            return try JSONResponse.make(objections.map { HubAPI.ObjectionView(objection: $0, now: time) })
        }

        router.on(.get, "/v1/objections/:id", allow: [.admin, .auditor, .agency]) { request, context, principal in
            let objection = try await workflow.visibleObjection(try QueryParameters(request, context).path("id"), to: principal)
            return try JSONResponse.make(HubAPI.ObjectionView(objection: objection, now: Timestamp.string(from: now())))
        }

        router.on(.post, "/v1/objections/:id/answer", allow: [.agency]) { request, context, principal in
            let body = try await request.decodeBody(ObjectionAnswer.self, context: context)
            let time = now()
            let objection = try await workflow.answer(try QueryParameters(request, context).path("id"), body, by: principal, at: time)
            return try JSONResponse.make(HubAPI.ObjectionView(objection: objection, now: Timestamp.string(from: time)))
        }
    }

    static func flag(_ parameters: QueryParameters, _ name: String) throws -> Bool {
        switch try parameters.text(name) {
        case nil, "false": return false
        case "true": return true
        case let other?: throw HubAPIError(.badRequest, "expected true or false, got '\(other)'", field: name)
        }
    }
}
