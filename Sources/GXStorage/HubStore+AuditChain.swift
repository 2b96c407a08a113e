import Foundation
import GXCrypto
import GXDomain

/// What rebuilding the agency index changed.
public struct AuditIndexRepair: Sendable, Hashable {
    public var entriesChecked: Int64 = 0
    /// Rows added: entries that were hidden from an agency's view.
    public var added: [AuditIndexRow] = []
    /// Rows removed: entries filed under an agency they do not name, or rows for no entry.
    public var removed: [AuditIndexRow] = []
    /// The `audit.index_repaired` entry that records the repair; nil when the index was already right.
    public var entry: AuditEntry?
}

extension HubStore {
    /// Re-verifies the chain against `hubKey` — one the caller obtained elsewhere, never the key this store holds —
    /// page by page, and with each page the agency index rows for it, which must be exactly those the entries
    /// imply: the index is not chained, so it is checked against what is.
    public func verifyAuditChain(hubKey: SM2PublicKey, pageSize: Int = 5000) async throws -> AuditChainVerifier.Report {
        var verifier = AuditChainVerifier(checkpoints: try await auditCheckpoints(), hubKey: hubKey)
        var after: Int64 = 0
        while true {
            let page = try await auditChain(afterSeq: after, limit: pageSize)
            guard let last = page.last else {
                // Index rows past the head: bogus, unless a running hub appended meanwhile (then check on).
                let beyond = try await auditIndexRows(afterSeq: after, throughSeq: .max)
                if beyond.isEmpty { break }
                if try await auditChain(afterSeq: after, limit: 1).isEmpty {
                    verifier.checkIndex(beyond, for: [])
                    break
                }
                continue
            }
            for entry in page where !verifier.check(entry) { return verifier.finish() }
            guard verifier.checkIndex(try await auditIndexRows(afterSeq: after, throughSeq: last.seq), for: page) else {
                return verifier.finish()
            }
            after = last.seq
        }
        return verifier.finish()
    }

    /// Rebuilds the agency index (`AuditQuery.agency`) from the chained entries, which it is derived from.
    /// Page by page, each page's repair in a transaction of its own: an entry never changes once appended and
    /// brings its own rows, so this is safe beside a serving hub. A repair that changed anything is audited.
    public func repairAuditIndex(by actor: String, at time: Date = Date(), pageSize: Int = 5000) async throws -> AuditIndexRepair {
        var repair = AuditIndexRepair()
        var after: Int64 = 0
        while true {
            let page = try await auditChain(afterSeq: after, limit: pageSize)
            guard let last = page.last else {
                // Rows past the head, unless a hub appended meanwhile (then go on with the new entries).
                let beyond = try await auditIndexRows(afterSeq: after, throughSeq: .max)
                if beyond.isEmpty { break }
                if try await !auditChain(afterSeq: after, limit: 1).isEmpty { continue }
                try await commit([.repairAuditIndex(add: [], remove: beyond)], audit: [], at: time)
                repair.removed += beyond
                break
            }
            let difference = AuditIndexDifference(implied: AuditIndexRow.implied(by: page),
                                                  indexed: try await auditIndexRows(afterSeq: after, throughSeq: last.seq))
            if !difference.isEmpty {
                try await commit([.repairAuditIndex(add: difference.missing, remove: difference.extra)], audit: [], at: time)
                repair.added += difference.missing
                repair.removed += difference.extra
            }
            repair.entriesChecked += Int64(page.count)
            after = last.seq
        }
        if !repair.added.isEmpty || !repair.removed.isEmpty {
            // The rows themselves, up to a bound: which entries were hidden from (or filed under) whom.
            func listed(_ rows: [AuditIndexRow]) -> CanonicalJSON {
                .array(rows.prefix(100).map { .object(["seq": .integer($0.seq), "agency": .string(String($0.agency.prefix(64)))]) })
            }
            repair.entry = try await commit([], audit: [AuditDraft(
                actor: actor, action: "audit.index_repaired", subject: "audit_entry_agencies",
                // Filed under the agencies whose entries were hidden (names from the chain, not from bogus rows).
                agencies: Array(Set(repair.added.map(\.agency))).sorted(),
                details: ["added": .integer(Int64(repair.added.count)), "removed": .integer(Int64(repair.removed.count)),
                          "added_rows": listed(repair.added), "removed_rows": listed(repair.removed),
                          "entries_checked": .integer(repair.entriesChecked)])], at: time).first
        }
        return repair
    }
}
