import GXDomain
import Hummingbird

extension Hub {
    /// Amendments of a filed agreement: propose, sign (consumer, then provider), file, or withdraw.
    func addAmendmentRoutes(to router: Router<HubRequestContext>) {
        router.on(.post, "/v1/agreements/:id/amendment", allow: [.admin, .agency]) { request, context, principal in
            let body = try await request.decodeBody(HubAPI.Amend.self, context: context)
            let agreement = try await proposeAmendment(to: try QueryParameters(request, context).path("id"), body, by: principal)
            return try JSONResponse.make(HubAPI.AgreementView(agreement: agreement), status: .created)
        }

        router.on(.post, "/v1/agreements/:id/amendment/signatures", allow: [.agency]) { request, context, principal in
            let body = try await request.decodeBody(HubAPI.Sign.self, context: context)
            let agreement = try await signAmendment(of: try QueryParameters(request, context).path("id"), body, by: principal)
            return try JSONResponse.make(HubAPI.AgreementView(agreement: agreement))
        }

        router.on(.post, "/v1/agreements/:id/amendment/filing", allow: [.admin]) { request, context, principal in
            let body = try await request.decodeBody(HubAPI.Filing.self, context: context, whenEmpty: HubAPI.Filing())
            let agreement = try await fileAmendment(of: try QueryParameters(request, context).path("id"), by: principal, reason: body.reason,
                                                    acknowledgedLevels: body.acknowledgedLevels ?? [])
            return try JSONResponse.make(HubAPI.AgreementView(agreement: agreement))
        }

        router.on(.post, "/v1/agreements/:id/amendment/withdrawal", allow: [.admin, .agency]) { request, context, principal in
            let body = try await request.decodeBody(HubAPI.Reason.self, context: context)
            let agreement = try await withdrawAmendment(of: try QueryParameters(request, context).path("id"), reason: body.reason, by: principal)
            return try JSONResponse.make(HubAPI.AgreementView(agreement: agreement))
        }
    }
}
