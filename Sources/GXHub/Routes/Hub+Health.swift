import GXDomain
import Hummingbird

extension Hub {
    func addHealthRoutes(to router: Router<HubRequestContext>) {
        router.get("/healthz") { _, _ in
            try JSONResponse.make(["status": "ok"])
        }
        router.get("/readyz") { _, _ in
            do {
                _ = try await store.auditHead()
                return try JSONResponse.make(["status": "ready"])
            } catch {
                throw HubAPIError(.serviceUnavailable, "database not reachable")
            }
        }
        router.on(.get, "/v1/hub", allow: [.admin, .auditor, .agency]) { _, _, _ in
            let head = try await store.auditHead()
            return try JSONResponse.make(HubAPI.HubInfo(name: name, publicKey: key.publicKey.pem, auditHeadSeq: head.seq, auditHeadHash: head.hash))
        }
    }
}
