import Foundation
import GXDomain
import GXStorage
import Hummingbird

extension Hub {
    func addDemandRoutes(to router: Router<HubRequestContext>) {
        let workflow = DemandWorkflow(hub: self)

        router.on(.post, "/v1/demands", allow: [.agency]) { request, context, principal in
            let body = try await request.decodeBody(DemandRequest.self, context: context)
            let time = now()
            let demand = try await workflow.submit(body, by: principal, at: time)
            return try JSONResponse.make(HubAPI.DemandView(demand: demand, now: Timestamp.string(from: time)), status: .created)
        }

        router.on(.get, "/v1/demands", allow: [.admin, .auditor, .agency]) { request, context, principal in
            let time = Timestamp.string(from: now())
            let parameters = QueryParameters(request, context)
            var query = DemandQuery(consumer: try parameters.text("consumer"), provider: try parameters.text("provider"),
                                    resourceCode: try parameters.text("resource"))
            if let state = try parameters.text("state") {
                guard let parsed = DemandState(rawValue: state) else {
                    throw HubAPIError(.badRequest, "unknown state '\(state)'; use one of \(DemandState.allCases.map(\.rawValue).joined(separator: ", "))", field: "state")
                }
                query.state = parsed
            }
            switch try parameters.text("overdue") {
            case nil, "false": break
            case "true": query.overdueAt = time
            case let other?: throw HubAPIError(.badRequest, "expected true or false, got '\(other)'", field: "overdue")
            }
            let demands = try await workflow.demands(query, for: principal)
            return try JSONResponse.make(demands.map { HubAPI.DemandView(demand: $0, now: time) })
        }

        router.on(.get, "/v1/demands/:id", allow: [.admin, .auditor, .agency]) { request, context, principal in
            let demand = try await workflow.visibleDemand(try QueryParameters(request, context).path("id"), to: principal)
            return try JSONResponse.make(HubAPI.DemandView(demand: demand, now: Timestamp.string(from: now())))
        }

        router.on(.post, "/v1/demands/:id/withdraw", allow: [.agency]) { request, context, principal in
            let body = try await request.decodeBody(HubAPI.Withdraw.self, context: context, whenEmpty: HubAPI.Withdraw())
            let time = now()
            let demand = try await workflow.withdraw(try QueryParameters(request, context).path("id"), reason: body.reason, by: principal, at: time)
            return try JSONResponse.make(HubAPI.DemandView(demand: demand, now: Timestamp.string(from: time)))
        }

        router.on(.post, "/v1/demands/:id/review", allow: [.admin]) { request, context, principal in
            let body = try await request.decodeBody(DemandReview.self, context: context)
            let time = now()
            let demand = try await workflow.review(try QueryParameters(request, context).path("id"), body, by: principal, at: time)
            return try JSONResponse.make(HubAPI.DemandView(demand: demand, now: Timestamp.string(from: time)))
        }

        router.on(.post, "/v1/demands/:id/reply", allow: [.agency]) { request, context, principal in
            let body = try await request.decodeBody(DemandReply.self, context: context)
            let time = now()
            let demand = try await workflow.reply(try QueryParameters(request, context).path("id"), body, by: principal, at: time)
            return try JSONResponse.make(HubAPI.DemandView(demand: demand, now: Timestamp.string(from: time)))
        }

        // The terms as the TOML an admin reviews in Agreements/, for agreements drawn up from demands and imported alike.
        router.on(.get, "/v1/agreements/:id/toml", allow: [.admin, .auditor, .agency]) { request, context, principal in
            let agreement = try await visibleAgreement(try QueryParameters(request, context).path("id"), to: principal)
            var headers = HTTPFields()
            headers[.contentType] = "application/toml; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: agreement.terms.tomlText)))
        }
    }
}
