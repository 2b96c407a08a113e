/// One row of the hub's agency index: entry `seq` concerns `agency`. The index is not chained; it is derived
/// from the entries' `agencies`, so a verifier recomputes it and a repair rebuilds it from the chain.
public struct AuditIndexRow: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var seq: Int64
    public var agency: String

    public init(seq: Int64, agency: String) {
        self.seq = seq
        self.agency = agency
    }

    /// The rows the chain implies for `entries`: one per distinct agency an entry names.
    public static func implied(by entries: some Sequence<AuditEntry>) -> Set<AuditIndexRow> {
        var rows = Set<AuditIndexRow>()
        for entry in entries {
            for agency in entry.agencies { rows.insert(AuditIndexRow(seq: entry.seq, agency: agency)) }
        }
        return rows
    }

    public static func < (a: AuditIndexRow, b: AuditIndexRow) -> Bool { (a.seq, a.agency) < (b.seq, b.agency) }

    public var description: String { "entry \(seq) under \(agency)" }
}

/// How an index differs from what its entries imply.
public struct AuditIndexDifference: Sendable, Hashable {
    /// Rows the chain implies that the index lacks: the entry is hidden from that agency's view.
    public var missing: [AuditIndexRow]
    /// Rows the index holds that no entry implies: an entry filed where it does not belong.
    public var extra: [AuditIndexRow]

    public init(implied: Set<AuditIndexRow>, indexed: some Sequence<AuditIndexRow>) {
        let indexed = Set(indexed)
        missing = implied.subtracting(indexed).sorted()
        extra = indexed.subtracting(implied).sorted()
    }

    public var isEmpty: Bool { missing.isEmpty && extra.isEmpty }
}
