import GXCrypto

/// Reads a batch payload as it arrives: SM3 and size of the wire bytes, inflate (bounded), SM3 of the
/// canonical lines, and each record parsed — without holding the batch in memory.
///
/// Not Sendable: one task drives one payload.
public final class BatchPayloadDecoder {
    private let inflater: Inflater
    private var splitter = CanonicalRecordSplitter()
    private var recordsHasher = SM3Hasher()
    private var wireHasher = SM3Hasher()
    private var wireBytes: Int64 = 0
    private var inflated: [UInt8] = []
    private var tokens: [Int] = []
    private let valueCount: Int
    private let maximumRecordBytes: Int
    private let digesting: Bool
    public private(set) var counts = BatchCounts()

    /// - Parameters:
    ///   - valueCount: values per record (the payload's items).
    ///   - maximumRecordBytes: the most inflated bytes accepted in all, against decompression bombs.
    ///   - digesting: false only to read again a payload whose digests were checked when it was kept (SM3 is
    ///     most of the cost of reading one); `finish` then gives the digests of nothing.
    public init(valueCount: Int, maximumRecordBytes: Int, digesting: Bool = true) throws(CompressionError) {
        inflater = try Inflater()
        self.valueCount = valueCount
        self.maximumRecordBytes = maximumRecordBytes
        self.digesting = digesting
    }

    /// Feeds wire bytes; calls `body` with each complete record, with its 1-based position.
    public func consume(_ wire: UnsafeRawBufferPointer, _ body: (CanonicalRecord, Int64) throws -> Void) throws {
        try inflate(wire)
        let valueCount = self.valueCount
        try splitter.append(inflated) { line in
            let record = try CanonicalRecord.parse(line: line, valueCount: valueCount)
            count(record.operation)
            try body(record, counts.records)
        }
    }

    /// `consume` for a caller that needs each record's line, not its values as `String`s (the hub checks
    /// and projects the bytes as received): each line is checked as strictly as `consume` parses it. The
    /// line is valid only during the call.
    public func consumeLines(_ wire: UnsafeRawBufferPointer, _ body: (CanonicalRecordLine, Int64) throws -> Void) throws {
        try inflate(wire)
        let valueCount = self.valueCount
        try splitter.append(inflated) { line in
            let record = try CanonicalRecordLine(checking: line, valueCount: valueCount, tokens: &tokens)
            count(record.operation)
            try body(record, counts.records)
        }
    }

    private func inflate(_ wire: UnsafeRawBufferPointer) throws {
        if digesting { wireHasher.update(wire) }
        wireBytes += Int64(wire.count)
        inflated.removeAll(keepingCapacity: true)
        do {
            try inflater.decompress(wire, into: &inflated, limit: maximumRecordBytes)
        } catch {
            throw InvalidInput(field: "payload", reason: "\(error)")
        }
        if digesting { recordsHasher.update(inflated) }
    }

    private func count(_ operation: RecordOperation) {
        switch operation {
        case .upsert: counts.upserts += 1
        case .delete: counts.deletes += 1
        }
    }

    public func consume(_ wire: [UInt8], _ body: (CanonicalRecord, Int64) throws -> Void) throws {
        try wire.withUnsafeBytes { try consume($0, body) }
    }

    /// At the end of the wire stream: checks it ended properly and returns the digests.
    public func finish() throws(InvalidInput) -> (records: PayloadDigest, wire: PayloadDigest) {
        do {
            try inflater.finish()
        } catch {
            throw InvalidInput(field: "payload", reason: "\(error)")
        }
        try splitter.finish()
        var r = recordsHasher, w = wireHasher
        return (PayloadDigest(sm3: r.finalize().hex, bytes: Int64(inflater.outputCount)), PayloadDigest(sm3: w.finalize().hex, bytes: wireBytes))
    }
}
