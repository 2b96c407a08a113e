import GXDomain
import Hummingbird

extension Hub {
    func addHealthRoutes(to router: Router<HubRequestContext>) {
        router.get("/healthz") { _, _ in
            try JSONResponse.make(["status": "ok"])
        }
        // Ready when the database answers and its schema is exactly the one this gx migrates to: a load
        // balancer keeps traffic away from a hub whose database is down or was migrated by a newer gx.
        router.get("/readyz") { _, _ in
            let applied: [String]
            do {
                applied = try await store.appliedMigrations()
            } catch {
                logger.warning("readiness: database not reachable: \(error)")
                throw HubAPIError(.serviceUnavailable, "database not reachable")
            }
            let known = store.knownMigrations
            guard Set(applied) == Set(known) else {
                let missing = known.filter { !applied.contains($0) }, unknown = applied.filter { !known.contains($0) }
                throw HubAPIError(.serviceUnavailable, "database schema not current: missing \(missing), unknown to this gx \(unknown)")
            }
            return try JSONResponse.make(["status": "ready", "schema": known.last ?? ""])
        }
        router.on(.get, "/v1/hub", allow: [.admin, .auditor, .agency]) { _, _, _ in
            let head = try await store.auditHead()
            return try JSONResponse.make(HubAPI.HubInfo(name: name, publicKey: key.publicKey.pem, auditHeadSeq: head.seq, auditHeadHash: head.hash))
        }
    }
}
