import Foundation
import GXCrypto
import GXDomain
import GXStorage
import Hummingbird

extension Hub {
    func addAuditRoutes(to router: Router<HubRequestContext>) {
        router.on(.get, "/v1/audit", allow: [.admin, .auditor]) { request, context, _ in
            let query = try auditQuery(from: QueryParameters(request, context))
            let page = try await store.auditPage(matching: query, scanLimit: AuditSearchPage.scanLimit)
            return try JSONResponse.make(HubAPI.AuditPage(entries: page.entries, nextAfter: page.nextAfter(limit: query.limit)))
        }

        router.on(.get, "/v1/audit/checkpoints", allow: [.admin, .auditor]) { _, _, _ in
            try JSONResponse.make(try await store.auditCheckpoints())
        }

        router.on(.post, "/v1/audit/checkpoints", allow: [.admin]) { _, _, _ in
            guard let checkpoint = try await signCheckpoint() else {
                throw HubAPIError(.conflict, "the audit chain is empty")
            }
            return try JSONResponse.make(checkpoint, status: .created)
        }

        // NDJSON: a header with the hub key, every entry in order (or those the filters select, which the header
        // then names), then the signed checkpoints. Streams page by page so the chain is never held in memory.
        router.on(.get, "/v1/audit/export", allow: [.admin, .auditor]) { request, context, _ in
            let query = try auditSelection(from: QueryParameters(request, context))
            try await signCheckpoint()
            return AuditExport.response(store: store, query: query, hubKey: key.publicKey.pem, format: .ndjson)
        }
    }

    /// `from` and `until` are inclusive (`until` to the precision written: a date is its whole day); `limit` from 1 to 1000 (100 when absent).
    func auditQuery(from parameters: QueryParameters) throws -> AuditQuery {
        var query = try auditSelection(from: parameters)
        query.afterSeq = try parameters.integer("after", in: 0...Int64.max, default: 0)
        query.limit = Int(try parameters.integer("limit", in: 1...Int64(AuditQuery.maximumLimit), default: 100))
        return query
    }

    /// The filters alone, as the list and the export take them.
    func auditSelection(from parameters: QueryParameters) throws -> AuditQuery {
        AuditQuery(agency: try parameters.text("agency"), agreement: try parameters.text("agreement"), resource: try parameters.text("resource"),
                   action: try parameters.text("action"), actor: try parameters.text("actor"),
                   from: try parameters.instant("from"), until: try parameters.lastInstant("until"))
    }

    /// Signs a checkpoint at the current head, unless the latest one already covers it.
    @discardableResult
    public func signCheckpoint() async throws -> AuditCheckpoint? {
        let head = try await store.auditHead()
        guard head.seq > 0 else { return nil }
        if let last = try await store.lastCheckpoint(), last.seq >= head.seq { return last }
        let checkpoint = try AuditCheckpoint.signing(seq: head.seq, headHash: head.hash, at: now(), with: key)
        try await store.addCheckpoint(checkpoint)
        return checkpoint
    }
}
