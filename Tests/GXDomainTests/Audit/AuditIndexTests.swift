import Foundation
import GXCrypto
import GXDomain
import Testing

@Suite("Agency index checked against the chain")
struct AuditIndexTests {
    let hubKey: SM2PrivateKey
    let chain: [AuditEntry]

    init() throws {
        hubKey = try SM2PrivateKey.generate()
        var entries: [AuditEntry] = []
        var previous = AuditChain.genesisHash
        for seq in Int64(1)...6 {
            let agencies = seq % 3 == 0 ? [] : seq % 2 == 0 ? ["B", "A", "B"] : ["A"]
            let entry = AuditChain.seal(AuditDraft(actor: "hub", action: "x.y", subject: "S\(seq)", agencies: agencies),
                                        seq: seq, time: "2026-11-22T10:00:0\(seq).000Z", prevHash: previous)
            entries.append(entry)
            previous = entry.hash
        }
        chain = entries
    }

    var rows: [AuditIndexRow] { AuditIndexRow.implied(by: chain).sorted() }

    func check(_ indexed: [AuditIndexRow], for entries: [AuditEntry]? = nil) -> AuditChainVerifier.Report {
        var verifier = AuditChainVerifier(checkpoints: [], hubKey: hubKey.publicKey)
        for entry in chain { verifier.check(entry) }
        verifier.checkIndex(indexed, for: entries ?? chain)
        return verifier.finish()
    }

    @Test("the index implied by the entries is one row per distinct agency an entry names")
    func impliedRows() {
        #expect(rows.map(\.description) == ["entry 1 under A", "entry 2 under A", "entry 2 under B", "entry 4 under A",
                                            "entry 4 under B", "entry 5 under A"])
    }

    @Test("an index that matches the entries passes")
    func matchingIndex() {
        #expect(check(rows).isIntact)
    }

    @Test("a deleted index row is a break at the entry it hides")
    func missingRow() {
        let report = check(rows.filter { !($0.seq == 4 && $0.agency == "B") })
        #expect(report.firstBreak?.kind == .indexMismatch)
        #expect(report.firstBreak?.seq == 4)
        #expect(report.firstBreak?.message.contains("lacks B") == true)
        #expect(report.verdict == .broken)
    }

    @Test("an index row for an agency the entry does not name is a break")
    func extraRow() {
        let report = check(rows + [AuditIndexRow(seq: 3, agency: "C")])
        #expect(report.firstBreak?.kind == .indexMismatch)
        #expect(report.firstBreak?.seq == 3)
    }

    @Test("an index row for an entry the chain does not have is a break")
    func rowBeyondChain() {
        let report = check([AuditIndexRow(seq: 9, agency: "A")], for: [])
        #expect(report.firstBreak?.kind == .indexMismatch)
        #expect(report.firstBreak?.seq == 9)
    }

    @Test("the first difference in sequence order is reported")
    func firstDifference() {
        let report = check(rows.filter { $0.seq != 5 } + [AuditIndexRow(seq: 2, agency: "Z")])
        #expect(report.firstBreak?.seq == 2)
    }
}
