import GXCrypto

/// Re-verifies an audit chain entry by entry, in constant memory apart from the checkpoints,
/// so tens of millions of entries can be checked from a database or an export file.
public struct AuditChainVerifier {
    public struct Report: Sendable, Hashable {
        public var entriesChecked: Int64
        public var checkpointsChecked: Int
        public var lastSeq: Int64
        public var headHash: String
        /// The last checkpoint that the chain satisfies.
        public var coveredBySeq: Int64?
        public var firstBreak: AuditBreak?
        public var isIntact: Bool { firstBreak == nil }

        /// Intact entries after the last signed checkpoint. Re-linking needs no key, so anyone who can write the
        /// evidence can rewrite, append or drop these and re-link them: they are consistent, not proven.
        public var uncoveredEntries: Int64 { isIntact ? lastSeq - (coveredBySeq ?? 0) : 0 }

        public var verdict: Verdict {
            if !isIntact { return .broken }
            return uncoveredEntries == 0 && lastSeq > 0 ? .intact : .unverifiedTail
        }
    }

    /// What a check proves, from strongest to weakest claim.
    public enum Verdict: String, Sendable, Hashable {
        /// Every entry is linked and the hub signed a checkpoint at the last one.
        case intact
        /// Linked throughout, but entries after the last signed checkpoint (or all of them, without one) are
        /// not pinned by the hub key: a forger with write access could have made them.
        case unverifiedTail = "unverified_tail"
        /// Edited, removed, inserted, reordered, truncated, signed by another key, or its index disagrees.
        case broken
    }

    private var checkpoints: [Int64: AuditCheckpoint] = [:]
    private var lastCheckpointSeq: Int64?
    private var expectedSeq: Int64 = 1
    private var previousHash = AuditChain.genesisHash
    private var report = Report(entriesChecked: 0, checkpointsChecked: 0, lastSeq: 0, headHash: AuditChain.genesisHash, coveredBySeq: nil, firstBreak: nil)

    /// Checkpoint signatures are checked up front; a bad one is the first break.
    public init(checkpoints: [AuditCheckpoint], hubKey: SM2PublicKey) {
        for checkpoint in checkpoints.sorted(by: { $0.seq < $1.seq }) {
            guard checkpoint.isValid(for: hubKey) else {
                report.firstBreak = AuditBreak(seq: checkpoint.seq, kind: .badCheckpointSignature,
                                               message: "checkpoint at \(checkpoint.seq) is not signed by this hub key")
                break
            }
            self.checkpoints[checkpoint.seq] = checkpoint
            lastCheckpointSeq = checkpoint.seq
            report.checkpointsChecked += 1
        }
    }

    /// Feeds the next entry; returns false once the chain is broken (further entries are ignored).
    @discardableResult
    public mutating func check(_ entry: AuditEntry) -> Bool {
        guard report.firstBreak == nil else { return false }
        if entry.seq != expectedSeq {
            return fail(entry.seq, .sequenceGap, "expected entry \(expectedSeq), found \(entry.seq)")
        }
        if entry.prevHash != previousHash {
            return fail(entry.seq, .brokenLink, "previous hash is \(entry.prevHash.prefix(16))…, the entry before ends in \(previousHash.prefix(16))…")
        }
        let computed = AuditChain.linkHash(of: entry)
        if computed != entry.hash {
            return fail(entry.seq, .hashMismatch, "content hashes to \(computed.prefix(16))…, recorded \(entry.hash.prefix(16))…")
        }
        if let checkpoint = checkpoints[entry.seq] {
            if checkpoint.headHash != entry.hash {
                return fail(entry.seq, .checkpointMismatch, "signed checkpoint says \(checkpoint.headHash.prefix(16))…, chain has \(entry.hash.prefix(16))…")
            }
            report.coveredBySeq = entry.seq
        }
        previousHash = entry.hash
        expectedSeq += 1
        report.entriesChecked += 1
        report.lastSeq = entry.seq
        report.headHash = entry.hash
        return true
    }

    /// Compares the agency index rows the store holds for `entries` (already checked, in order) with the rows
    /// their `agencies` imply; returns false at the first difference. `entries` empty: every row given is one
    /// for an entry the chain does not have.
    @discardableResult
    public mutating func checkIndex(_ indexed: [AuditIndexRow], for entries: [AuditEntry]) -> Bool {
        guard report.firstBreak == nil else { return false }
        let difference = AuditIndexDifference(implied: AuditIndexRow.implied(by: entries), indexed: indexed)
        let missing = difference.missing.first, extra = difference.extra.first
        if let missing, extra.map({ missing <= $0 }) ?? true {
            return fail(missing.seq, .indexMismatch, "the agency index lacks \(missing.agency) for this entry, so `?agency=\(missing.agency)` hides it; `gx audit reindex` rebuilds the index from the chain")
        }
        if let extra {
            let claim = entries.contains { $0.seq == extra.seq } ? "files this entry under \(extra.agency), which it does not name" : "holds a row for \(extra.agency) at entry \(extra.seq), which the chain does not have"
            return fail(extra.seq, .indexMismatch, "the agency index \(claim); `gx audit reindex` rebuilds the index from the chain")
        }
        return true
    }

    /// Ends the check: a chain shorter than its last signed checkpoint was truncated.
    public mutating func finish() -> Report {
        if report.firstBreak == nil, let last = lastCheckpointSeq, last > report.lastSeq {
            report.firstBreak = AuditBreak(seq: report.lastSeq + 1, kind: .truncated,
                                           message: "chain ends at \(report.lastSeq) but the hub signed a checkpoint at \(last)")
        }
        return report
    }

    public mutating func fail(_ seq: Int64, _ kind: AuditBreak.Kind, _ message: String) -> Bool {
        report.firstBreak = AuditBreak(seq: seq, kind: kind, message: message)
        return false
    }
}
