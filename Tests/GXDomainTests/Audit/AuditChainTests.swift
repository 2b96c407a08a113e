import Foundation
import GXCrypto
import GXDomain
import GXTestSupport
import Testing

@Suite("Audit chain tamper detection")
struct AuditChainTests {
    let hubKey: SM2PrivateKey
    let chain: [AuditEntry]
    let checkpoints: [AuditCheckpoint]

    init() throws {
        hubKey = try SM2PrivateKey.generate()
        var entries: [AuditEntry] = []
        var previous = AuditChain.genesisHash
        for seq in Int64(1)...12 {
            let draft = AuditDraft(actor: "admin:authority", action: seq % 2 == 0 ? "agreement.signed" : "agency.registered",
                                   subject: "S\(seq)", agreement: seq % 2 == 0 ? "BJ-\(seq)" : nil, agencies: ["11110000000021012L"],
                                   details: ["count": .integer(seq), "note": .string("第\(seq)条")])
            let entry = AuditChain.seal(draft, seq: seq, time: "2026-11-22T10:00:\(seq < 10 ? "0" : "")\(seq).000Z", prevHash: previous)
            entries.append(entry)
            previous = entry.hash
        }
        chain = entries
        checkpoints = [
            try AuditCheckpoint.signing(seq: 5, headHash: entries[4].hash, at: Date(), with: hubKey),
            try AuditCheckpoint.signing(seq: 10, headHash: entries[9].hash, at: Date(), with: hubKey),
        ]
    }

    func verify(_ entries: [AuditEntry], checkpoints: [AuditCheckpoint]? = nil, key: SM2PublicKey? = nil) -> AuditChainVerifier.Report {
        var verifier = AuditChainVerifier(checkpoints: checkpoints ?? self.checkpoints, hubKey: key ?? hubKey.publicKey)
        for entry in entries where !verifier.check(entry) { break }
        return verifier.finish()
    }

    @Test("an untouched chain verifies, covered up to its last checkpoint")
    func intactChain() {
        let report = verify(chain)
        #expect(report.isIntact)
        #expect(report.entriesChecked == 12)
        #expect(report.coveredBySeq == 10)
        #expect(report.headHash == chain.last!.hash)
    }

    @Test("an edited entry is the first break")
    func editedEntry() {
        var entries = chain
        entries[6].details["count"] = .integer(700)
        let report = verify(entries)
        #expect(report.firstBreak?.seq == 7)
        #expect(report.firstBreak?.kind == .hashMismatch)
    }

    @Test("a deleted entry is detected where it was removed")
    func deletedEntry() {
        var entries = chain
        entries.remove(at: 3)
        let report = verify(entries)
        #expect(report.firstBreak?.seq == 5)
        #expect(report.firstBreak?.kind == .sequenceGap)
    }

    @Test("an inserted entry is detected")
    func insertedEntry() {
        var entries = chain
        let forged = AuditChain.seal(AuditDraft(actor: "admin:mallory", action: "agreement.filed", subject: "X"),
                                     seq: 4, time: "2026-11-22T10:00:03.500Z", prevHash: entries[2].hash)
        entries.insert(forged, at: 3)
        let report = verify(entries)
        #expect(report.firstBreak?.seq == 4)
        #expect(!report.isIntact)
    }

    @Test("reordered entries are detected")
    func reorderedEntries() {
        var entries = chain
        entries.swapAt(7, 8)
        let report = verify(entries)
        #expect(report.firstBreak?.seq == 9)
        #expect(report.firstBreak?.kind == .sequenceGap)
    }

    @Test("a tail cut off before the last signed checkpoint is detected")
    func truncatedTail() {
        let report = verify(Array(chain.prefix(8)))
        #expect(report.firstBreak?.kind == .truncated)
        #expect(report.firstBreak?.seq == 9)
    }

    @Test("a chain rewritten from an entry on, with hashes recomputed, contradicts the signed checkpoint")
    func rewrittenChain() {
        var entries = Array(chain.prefix(2))
        var previous = entries[1].hash
        for original in chain.dropFirst(2) {
            var draft = AuditDraft(actor: original.actor, action: original.action, subject: original.subject,
                                   agreement: original.agreement, agencies: original.agencies, details: original.details)
            if original.seq == 3 { draft.subject = "rewritten" }
            let entry = AuditChain.seal(draft, seq: original.seq, time: original.time, prevHash: previous)
            entries.append(entry)
            previous = entry.hash
        }
        let report = verify(entries)
        #expect(report.firstBreak?.seq == 5)
        #expect(report.firstBreak?.kind == .checkpointMismatch)
    }

    @Test("a checkpoint not signed by the hub key is refused")
    func foreignCheckpoint() throws {
        let other = try SM2PrivateKey.generate()
        let forged = try AuditCheckpoint.signing(seq: 12, headHash: chain[11].hash, at: Date(), with: other)
        let report = verify(chain, checkpoints: checkpoints + [forged])
        #expect(report.firstBreak?.kind == .badCheckpointSignature)
    }

    @Test("entries after the last signed checkpoint make an unverified tail, not an intact chain")
    func uncoveredTailIsUnverified() {
        let report = verify(chain)
        #expect(report.isIntact)
        #expect(report.verdict == .unverifiedTail)
        #expect(report.uncoveredEntries == 2)
    }

    @Test("a forged entry appended after the last checkpoint, re-linked without any key, is not reported intact")
    func forgedAppendIsUnverified() {
        var entries = Array(chain.prefix(10))
        entries.append(AuditChain.seal(AuditDraft(actor: "admin:authority", action: "agreement.revoked", subject: "BJ-10", agreement: "BJ-10"),
                                       seq: 11, time: "2026-11-22T10:00:11.000Z", prevHash: entries[9].hash))
        let report = verify(entries)
        #expect(report.verdict == .unverifiedTail)
        #expect(report.uncoveredEntries == 1)
        #expect(report.coveredBySeq == 10)
    }

    @Test("a rewritten tail with the later checkpoints dropped is unverified from the last checkpoint kept")
    func droppedCheckpointsLeaveTailUnverified() {
        var entries = Array(chain.prefix(5))
        var previous = entries[4].hash
        for original in chain.dropFirst(5) {
            let entry = AuditChain.seal(AuditDraft(actor: original.actor, action: original.action, subject: "rewritten \(original.seq)"),
                                        seq: original.seq, time: original.time, prevHash: previous)
            entries.append(entry)
            previous = entry.hash
        }
        let report = verify(entries, checkpoints: [checkpoints[0]])
        #expect(report.verdict == .unverifiedTail)
        #expect(report.uncoveredEntries == 7)
    }

    @Test("a chain with a signed checkpoint at its head is intact")
    func coveredChainIsIntact() throws {
        let head = try AuditCheckpoint.signing(seq: 12, headHash: chain[11].hash, at: Date(), with: hubKey)
        let report = verify(chain, checkpoints: checkpoints + [head])
        #expect(report.verdict == .intact)
        #expect(report.uncoveredEntries == 0)
    }

    @Test("a chain no checkpoint covers is unverified throughout, and so is an empty one")
    func unsignedChainIsUnverified() {
        let report = verify(chain, checkpoints: [])
        #expect(report.verdict == .unverifiedTail)
        #expect(report.uncoveredEntries == 12)
        #expect(verify([], checkpoints: []).verdict == .unverifiedTail)
    }

    @Test("a broken chain is broken, whatever its coverage")
    func brokenVerdict() {
        var entries = chain
        entries[1].subject = "edited"
        #expect(verify(entries).verdict == .broken)
    }

    @Test("the link hash is SM3 over the previous hash and the canonical body")
    func linkHashDefinition() {
        let entry = chain[3]
        var bytes = SM3Digest(hex: entry.prevHash)!.bytes
        bytes += entry.canonicalBody
        #expect(SM3.digest(bytes).hex == entry.hash)
    }
}
