import GXDomain
import Hummingbird

extension Hub {
    func addOperationsRoutes(to router: Router<HubRequestContext>) {
        // Metrics name agreements and resources, so they need a credential like the rest of the registry:
        // Prometheus sends an admin's or auditor's token (`authorization.credentials_file`).
        router.on(.get, "/metrics", allow: [.admin, .auditor]) { _, _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            metrics.cadenceOverdue(try await OversightWorkflow(hub: self).overdueAgreements(now: now()))
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try await metrics.exposition(store: store))))
        }
        router.get("/openapi.yaml") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/yaml; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: HubOpenAPI.document)))
        }
    }
}
