import Foundation
import GXDomain
import GXStorage

extension Hub {
    /// Deletes the request and answer payloads of verifications (比对核实) whose answer the consumer
    /// acknowledged longer ago than the retention period, with the same period as batches. The signed
    /// request, answer and receipt documents stay: the listing, the report and the audit log count from them,
    /// and a request's records digest still tells an unchanged request from a new one. A request not yet
    /// answered, or answered but not yet acknowledged, keeps its payloads however old it is.
    @discardableResult
    public func pruneReceivedVerifications(at time: Date = Date()) async throws -> [String] {
        var pruned: [String] = []
        let cutoff = Timestamp.string(from: time.addingTimeInterval(-limits.retention))
        for agreement in try await store.agreements(matching: AgreementQuery()) where agreement.terms.method == .verification {
            var after: Int64 = 0
            while true {
                let page = try await store.verifications(agreementID: agreement.id, after: after, limit: 500)
                guard let last = page.last else { break }
                after = last.sequence
                for kept in page where kept.receipt != nil && (kept.receivedAt.map { $0 < cutoff } ?? false)
                    && (kept.requestPath != nil || kept.answerPath != nil) {
                    var updated = kept
                    updated.requestPath = nil
                    updated.answerPath = nil
                    updated.revision += 1
                    let files = [kept.requestPath, kept.answerPath].compactMap { $0 }
                    try await store.commit([.saveVerification(updated, expectedRevision: kept.revision)] + payloads.deleting(files),
                                           audit: [AuditDraft(actor: "hub", action: "verification.pruned", subject: "\(agreement.id)#\(kept.sequence)",
                                                              agreement: agreement.id, agencies: [agreement.terms.provider, agreement.terms.consumer],
                                                              details: ["sequence": .integer(kept.sequence)])],
                                           at: time)
                    await payloads.deleted(files)
                    pruned.append("\(agreement.id)#\(kept.sequence)")
                }
            }
        }
        return pruned
    }
}
