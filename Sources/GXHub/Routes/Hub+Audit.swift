import Foundation
import GXCrypto
import GXDomain
import GXStorage
import Hummingbird

extension Hub {
    func addAuditRoutes(to router: Router<HubRequestContext>) {
        router.on(.get, "/v1/audit", allow: [.admin, .auditor]) { request, context, _ in
            let query = try auditQuery(from: QueryParameters(request, context))
            let entries = try await store.auditEntries(matching: query)
            return try JSONResponse.make(HubAPI.AuditPage(entries: entries, nextAfter: entries.count == query.limit ? entries.last?.seq : nil))
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

        // NDJSON: a header with the hub key, every entry in order, then the signed checkpoints.
        // Streams page by page so the chain is never held in memory.
        router.on(.get, "/v1/audit/export", allow: [.admin, .auditor]) { _, _, _ in
            try await signCheckpoint()
            let store = self.store
            let hubKey = key.publicKey.pem
            var headers = HTTPFields()
            headers[.contentType] = "application/x-ndjson"
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                try await writer.write(ByteBuffer(bytes: try AuditExport.line(.init(type: .header, hubPublicKey: hubKey))))
                var after: Int64 = 0
                while true {
                    let page = try await store.auditChain(afterSeq: after, limit: 1000)
                    guard let last = page.last else { break }
                    var buffer = ByteBuffer()
                    for entry in page { buffer.writeBytes(try AuditExport.line(.init(type: .entry, entry: entry))) }
                    try await writer.write(buffer)
                    after = last.seq
                }
                var buffer = ByteBuffer()
                for checkpoint in try await store.auditCheckpoints() {
                    buffer.writeBytes(try AuditExport.line(.init(type: .checkpoint, checkpoint: checkpoint)))
                }
                try await writer.write(buffer)
                try await writer.finish(nil)
            })
        }
    }

    /// `from` is inclusive, `until` exclusive; `limit` from 1 to 1000 (100 when absent).
    func auditQuery(from parameters: QueryParameters) throws -> AuditQuery {
        AuditQuery(agency: try parameters.text("agency"), agreement: try parameters.text("agreement"), action: try parameters.text("action"),
                   actor: try parameters.text("actor"), from: try parameters.instant("from"), until: try parameters.instant("until"),
                   afterSeq: try parameters.integer("after", in: 0...Int64.max, default: 0),
                   limit: Int(try parameters.integer("limit", in: 1...Int64(AuditQuery.maximumLimit), default: 100)))
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

/// The audit export format, one JSON document per line.
public enum AuditExport {
    public static func line(_ line: HubAPI.ExportLine) throws -> [UInt8] {
        var bytes = [UInt8](try JSONResponse.encoder.encode(line))
        bytes.append(0x0A)
        return bytes
    }
}
