import Foundation
import GXDomain
import GXStorage
import Hummingbird

extension Hub {
    /// Revoking and reissuing bearer credentials (admin). Both take effect at once on every hub process: each
    /// request looks its token up in the shared store, nothing is cached.
    func addCredentialRoutes(to router: Router<HubRequestContext>) {
        router.on(.post, "/v1/credentials/:kind/:name/revocation", allow: [.admin]) { request, context, principal in
            let target = try credentialHolder(context)
            guard target != principal else {
                throw HubAPIError(.conflict, "\(principal) may not revoke its own credential: nobody could let it back in; another admin may", field: "name")
            }
            let change = try await credentialChange(request, context: context)
            let held = try await heldCredentials(of: target)
            let time = now()
            try await store.commit([.revokeCredentials(of: target)],
                                   audit: [credentialAudit("credential.revoked", target, by: principal, reason: change.reason,
                                                           details: ["revoked": .integer(Int64(held.count))])],
                                   at: time)
            logger.notice("revoked \(held.count) credential(s) of \(target)", metadata: ["principal": "\(principal)"])
            return try JSONResponse.make(HubAPI.RevokedCredentials(principal: target.description, revoked: held.count))
        }

        // What a holder has, by credential id: which token to revoke alone when one leaked.
        router.on(.get, "/v1/credentials/:kind/:name", allow: [.admin]) { _, context, _ in
            let target = try credentialHolder(context)
            let held = try await heldCredentials(of: target)
            return try JSONResponse.make(HubAPI.HeldCredentials(principal: target.description, credentials: held.map {
                HubAPI.HeldCredential(id: Credentials.id(ofHash: $0.tokenHash), createdAt: $0.createdAt)
            }))
        }

        // One token revoked (a copy leaked), the holder's others still working; named by its id, never the token.
        router.on(.post, "/v1/credentials/:kind/:name/tokens/:id/revocation", allow: [.admin]) { request, context, principal in
            let target = try credentialHolder(context)
            let id = try QueryParameters(request, context).path("id").lowercased()
            guard target != principal else {
                throw HubAPIError(.conflict, "\(principal) may not revoke its own credential: another admin may", field: "name")
            }
            let change = try await credentialChange(request, context: context)
            let held = try await heldCredentials(of: target)
            guard let credential = held.first(where: { Credentials.id(ofHash: $0.tokenHash) == id }) else {
                throw HubAPIError(.notFound, "\(target) holds no credential \(id) (gx credentials list shows its ids)", field: "id")
            }
            try await store.commit([.revokeCredential(tokenHash: credential.tokenHash, of: target)],
                                   audit: [credentialAudit("credential.token_revoked", target, by: principal, reason: change.reason,
                                                           details: ["id": .string(id), "revoked": .integer(1), "remaining": .integer(Int64(held.count - 1))])],
                                   at: now())
            logger.notice("revoked credential \(id) of \(target)", metadata: ["principal": "\(principal)"])
            return try JSONResponse.make(HubAPI.RevokedCredentials(principal: target.description, revoked: 1))
        }

        // A new token replaces every one the principal held, in one transaction: the old ones stop working as
        // the new one starts. The way back for a token that was lost or never written.
        router.on(.post, "/v1/credentials/:kind/:name/reissue", allow: [.admin]) { request, context, principal in
            let target = try credentialHolder(context)
            let change = try await credentialChange(request, context: context)
            let held: [Credential]
            if case let .agency(code) = target {
                guard try await store.agency(code: code) != nil else { throw StoreError.notFound(what: "agency \(code)") }
                held = try await store.credentials(of: target)
            } else {
                held = try await heldCredentials(of: target)
            }
            let token = Credentials.newToken()
            let time = now()
            try await store.commit([.revokeCredentials(of: target),
                                    .addCredential(Credential(tokenHash: Credentials.hash(of: token), principal: target, createdAt: Timestamp.string(from: time)))],
                                   audit: [credentialAudit("credential.reissued", target, by: principal, reason: change.reason,
                                                           details: ["revoked": .integer(Int64(held.count))])],
                                   at: time)
            logger.notice("reissued the credential of \(target), replacing \(held.count)", metadata: ["principal": "\(principal)"])
            return try JSONResponse.make(HubAPI.IssuedCredential(principal: target.description, token: token), status: .created)
        }
    }

    /// The principal named by the path: `agency/CODE`, `auditor/NAME` or `admin/NAME`.
    func credentialHolder(_ context: HubRequestContext) throws -> Principal {
        let kind = try context.parameters.require("kind")
        let name = try context.parameters.require("name")
        switch PrincipalKind(rawValue: kind) {
        case .agency: return .agency(code: name)
        case .auditor: return .auditor(name: name)
        case .admin: return .admin(name: name)
        case nil: throw HubAPIError(.badRequest, "unknown kind of credential holder '\(kind)': use agency, auditor or admin", field: "kind")
        }
    }

    /// What the principal holds; a principal with no credential is unknown to the hub (auditors and admins
    /// exist only through their credentials).
    func heldCredentials(of principal: Principal) async throws -> [Credential] {
        let held = try await store.credentials(of: principal)
        if held.isEmpty {
            if case let .agency(code) = principal, try await store.agency(code: code) == nil {
                throw StoreError.notFound(what: "agency \(code)")
            }
            throw HubAPIError(.notFound, "\(principal) holds no credential", field: "name")
        }
        return held
    }

    /// The optional `{"reason": …}` body; an empty body is no reason.
    func credentialChange(_ request: Request, context: HubRequestContext) async throws -> HubAPI.CredentialChange {
        let change = try await request.decodeBody(HubAPI.CredentialChange.self, context: context, whenEmpty: HubAPI.CredentialChange())
        if let reason = change.reason, reason.count > 1000 {
            throw HubAPIError(.badRequest, "the reason is longer than 1000 characters", field: "reason")
        }
        return change
    }

    func credentialAudit(_ action: String, _ target: Principal, by principal: Principal, reason: String?,
                         details: [String: CanonicalJSON]) -> AuditDraft {
        var details = details
        details["kind"] = .string(target.kind.rawValue)
        if let reason { details["reason"] = .string(reason) }
        var agencies: [String] = []
        if case let .agency(code) = target { agencies = [code] }
        return AuditDraft(actor: principal.description, action: action, subject: target.description, agencies: agencies, details: details)
    }
}
