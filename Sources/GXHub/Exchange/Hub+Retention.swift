import Foundation
import GXDomain
import GXStorage

extension Hub {
    /// Deletes the payloads of batches that every entitled consumer (agreements filed, active or
    /// suspended) has acknowledged and that are older than the retention period. A resource with no
    /// entitled consumer keeps its batches: a consumer filed later still needs them.
    @discardableResult
    public func pruneAcknowledgedBatches(at time: Date = Date()) async throws -> [String] {
        var pruned: [String] = []
        let cutoff = Timestamp.string(from: time.addingTimeInterval(-limits.retention))
        for entry in try await store.catalogueEntries() {
            let resource = entry.resourceCode
            let entitled = try await store.agreements(matching: AgreementQuery(resourceCode: resource))
                .filter { [.filed, .active, .suspended].contains($0.state) }
            guard !entitled.isEmpty else { continue }
            var acknowledged = Int64.max
            for agreement in entitled { acknowledged = min(acknowledged, try await store.acknowledgedSequence(agreementID: agreement.id)) }
            var after: Int64 = 0
            while after < acknowledged {
                let page = try await store.batches(resourceCode: resource, after: after, limit: 500)
                guard let last = page.last else { break }
                after = last.manifest.sequence
                for batch in page where batch.manifest.sequence <= acknowledged && batch.payloadPath != nil && batch.acceptedAt < cutoff {
                    let sequence = batch.manifest.sequence
                    var files = [batch.payloadPath!]
                    for agreement in try await store.agreements(matching: AgreementQuery(resourceCode: resource)) {
                        if let path = try await store.delivery(agreementID: agreement.id, sequence: sequence)?.payloadPath { files.append(path) }
                    }
                    // The database deletes the payloads in the same transaction; files go right after it.
                    try await store.commit([.pruneBatch(resourceCode: resource, sequence: sequence)] + payloads.deleting(files),
                                           audit: [AuditDraft(actor: "hub", action: "batch.pruned", subject: "\(resource)#\(sequence)",
                                                              agencies: [entry.provider],
                                                              details: ["sequence": .integer(sequence), "acknowledged_by": .integer(Int64(entitled.count))])],
                                           at: time)
                    await payloads.deleted(files)
                    pruned.append("\(resource)#\(sequence)")
                }
            }
        }
        return pruned
    }
}
