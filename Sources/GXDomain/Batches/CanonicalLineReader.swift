/// The second half of reading a payload: inflated bytes split into canonical lines, each checked and
/// counted (``PayloadInflation`` is the first).
///
/// Not Sendable: one task at a time drives one payload.
public final class CanonicalLineReader {
    private var splitter = CanonicalRecordSplitter()
    private var tokens: [Int] = []
    private let valueCount: Int
    public private(set) var counts = BatchCounts()

    /// `valueCount`: values per record (the payload's items).
    public init(valueCount: Int) {
        self.valueCount = valueCount
    }

    /// Calls `body` with each complete record in `inflated` (and the bytes before it), parsed, with its
    /// 1-based position.
    public func consume(_ inflated: [UInt8], _ body: (CanonicalRecord, Int64) throws -> Void) throws {
        let valueCount = self.valueCount
        try splitter.append(inflated) { line in
            let record = try CanonicalRecord.parse(line: line, valueCount: valueCount)
            count(record.operation)
            try body(record, counts.records)
        }
    }

    /// `consume` for a caller that needs each record's line, not its values as `String`s: each line is
    /// checked as strictly as `consume` parses it. The line is valid only during the call.
    public func consumeLines(_ inflated: [UInt8], _ body: (CanonicalRecordLine, Int64) throws -> Void) throws {
        let valueCount = self.valueCount
        try splitter.append(inflated) { line in
            let record = try CanonicalRecordLine(checking: line, valueCount: valueCount, tokens: &tokens)
            count(record.operation)
            try body(record, counts.records)
        }
    }

    /// At the end: checks no partial line is left.
    public func finish() throws(InvalidInput) {
        try splitter.finish()
    }

    private func count(_ operation: RecordOperation) {
        switch operation {
        case .upsert: counts.upserts += 1
        case .delete: counts.deletes += 1
        }
    }
}
