import Foundation
import GXCrypto
import GXDomain
import GXStorage
import Hummingbird

extension Hub {
    func addAgencyRoutes(to router: Router<HubRequestContext>) {
        router.on(.post, "/v1/agencies", allow: [.admin]) { request, context, principal in
            let body = try await request.decodeBody(HubAPI.RegisterAgency.self, context: context)
            let agency = try Agency(code: body.code, name: body.name, publicKeyPEM: body.publicKey, roles: body.roles).validated()
            let token = Credentials.newToken()
            let time = now()
            do {
                try await store.commit([
                    .registerAgency(agency),
                    .addCredential(Credential(tokenHash: Credentials.hash(of: token), principal: .agency(code: agency.code), createdAt: Timestamp.string(from: time))),
                ], audit: [AuditDraft(actor: principal.description, action: "agency.registered", subject: agency.code, agencies: [agency.code],
                                      details: ["name": .string(agency.name), "roles": .array(agency.roles.map { .string($0.rawValue) }),
                                                "public_key_sm3": .string(SM3.digest(agency.publicKeyPEM).hex)])],
                   at: time)
            } catch StoreError.duplicate {
                throw HubAPIError(.conflict, "agency \(agency.code) is already registered; if its token was lost, reissue it: POST /v1/credentials/agency/\(agency.code)/reissue (gx credentials reissue --agency \(agency.code))", field: "code")
            }
            return try JSONResponse.make(HubAPI.RegisteredAgency(agency: agency, credential: .init(principal: "agency:\(agency.code)", token: token)), status: .created)
        }

        router.on(.get, "/v1/agencies", allow: [.admin, .auditor, .agency]) { _, _, _ in
            try JSONResponse.make(try await store.agencies())
        }

        router.on(.get, "/v1/agencies/:code", allow: [.admin, .auditor, .agency]) { request, context, _ in
            let code = try QueryParameters(request, context).path("code")
            guard let agency = try await store.agency(code: code) else { throw StoreError.notFound(what: "agency \(code)") }
            return try JSONResponse.make(agency)
        }

        // Key rotation: the agency itself (proving it holds the current key) or the authority records a new
        // SM2 key. The old key is kept as retired, so what it signed before still verifies.
        router.on(.put, "/v1/agencies/:code/key", allow: [.admin, .agency]) { request, context, principal in
            let code = try QueryParameters(request, context).path("code")
            if case .agency = principal, principal.id != code { throw HubAPIError.forbidden(principal, "rotate the key of \(code)") }
            let body = try await request.decodeBody(HubAPI.RotateKey.self, context: context)
            guard let agency = try await store.agency(code: code) else { throw StoreError.notFound(what: "agency \(code)") }
            if case .agency = principal {
                guard let proof = body.proof.flatMap({ Data(base64Encoded: $0) }),
                      try agency.unrevokedKey(at: Timestamp.string(from: now())).isValidSignature([UInt8](proof), for: Array(body.publicKey.utf8)) else {
                    throw HubAPIError(.unprocessableContent, "an agency's own rotation needs proof: its current key's signature over the new public key (PEM)", field: "proof")
                }
            }
            let time = now()
            let rotated = try agency.rotatingKey(to: body.publicKey, at: Timestamp.string(from: time))
            try await store.commit([.updateAgency(rotated)],
                                   audit: [AuditDraft(actor: principal.description, action: "agency.key_rotated", subject: code, agencies: [code],
                                                      details: ["previous_key_sm3": .string(SM3.digest(agency.publicKeyPEM).hex),
                                                                "public_key_sm3": .string(SM3.digest(rotated.publicKeyPEM).hex),
                                                                "proven_by_previous_key": .bool(principal.kind == .agency)])],
                                   at: time)
            return try JSONResponse.make(rotated)
        }

        // Revocation (compromise): from the revocation time on, batches, receipts and agreement or amendment
        // signatures made with the key are refused, and consumers refuse deliveries of batches it signed that
        // were accepted from then on. Only the authority revokes; the key stays on record, marked.
        router.on(.post, "/v1/agencies/:code/key/revocation", allow: [.admin]) { request, context, principal in
            let code = try QueryParameters(request, context).path("code")
            let body = try await request.decodeBody(HubAPI.RevokeKey.self, context: context)
            guard let agency = try await store.agency(code: code) else { throw StoreError.notFound(what: "agency \(code)") }
            let time = now()
            var revokedAt = time
            if let text = body.revokedAt {
                guard let instant = Timestamp.instant(from: text) else {
                    throw InvalidInput(field: "revoked_at", reason: "not a time: give RFC 3339 (2026-12-04T08:00:00+08:00) or a date")
                }
                guard instant <= time else {
                    throw InvalidInput(field: "revoked_at", reason: "a revocation records a compromise that happened: it cannot be dated after now")
                }
                revokedAt = instant
            }
            let revoked = try agency.revokingKey(sm3: body.publicKeySM3, at: Timestamp.string(from: revokedAt), reason: body.reason)
            let revocation = revoked.revokedKeys.last!
            try await store.commit([.updateAgency(revoked)],
                                   audit: [AuditDraft(actor: principal.description, action: "agency.key_revoked", subject: code, agencies: [code],
                                                      details: ["public_key_sm3": .string(revocation.publicKeySM3),
                                                                "revoked_at": .string(revocation.revokedAt), "reason": .string(revocation.reason),
                                                                "current_key": .bool(SM3.digest(agency.publicKeyPEM).hex == revocation.publicKeySM3)])],
                                   at: time)
            logger.notice("revoked key \(revocation.publicKeySM3) of \(code) from \(revocation.revokedAt)", metadata: ["principal": "\(principal)"])
            return try JSONResponse.make(revoked)
        }

        router.on(.post, "/v1/auditors", allow: [.admin]) { request, context, principal in
            let body = try await request.decodeBody(HubAPI.AddAuditor.self, context: context)
            guard CatalogueEntry.isWellFormedName(body.name) else {
                throw InvalidInput(field: "name", reason: PathSafeCode.rule)
            }
            // Adding an auditor again must not leave two working tokens: replacing one is a reissue.
            let alreadyHeld = HubAPIError(.conflict, "auditor \(body.name) already holds a credential; to replace it, reissue it: POST /v1/credentials/auditor/\(body.name)/reissue (gx credentials reissue --auditor \(body.name))", field: "name")
            guard try await store.credentials(of: .auditor(name: body.name)).isEmpty else { throw alreadyHeld }
            let token = Credentials.newToken()
            let time = now()
            do {
                    try await store.commit([.addFirstCredential(Credential(tokenHash: Credentials.hash(of: token), principal: .auditor(name: body.name),
                                                                           createdAt: Timestamp.string(from: time)))],
                                           audit: [AuditDraft(actor: principal.description, action: "auditor.added", subject: body.name)], at: time)
            } catch StoreError.duplicate {
                throw alreadyHeld
            }
            return try JSONResponse.make(HubAPI.IssuedCredential(principal: "auditor:\(body.name)", token: token), status: .created)
        }
    }
}
