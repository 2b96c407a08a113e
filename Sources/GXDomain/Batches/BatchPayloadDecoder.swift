import GXCrypto

/// Reads a batch payload as it arrives: SM3 and size of the wire bytes, inflate (bounded), SM3 of the
/// canonical lines, and each record parsed — without holding the batch in memory. Its two halves,
/// ``PayloadInflation`` and ``CanonicalLineReader``, one after the other on the caller's task.
///
/// Not Sendable: one task drives one payload.
public final class BatchPayloadDecoder {
    private let inflation: PayloadInflation
    private let lines: CanonicalLineReader
    private var inflated: [UInt8] = []

    public var counts: BatchCounts { lines.counts }

    /// - Parameters:
    ///   - valueCount: values per record (the payload's items).
    ///   - maximumRecordBytes: the most inflated bytes accepted in all, against decompression bombs.
    ///   - digesting: false only to read again a payload whose digests were checked when it was kept (SM3 is
    ///     most of the cost of reading one); `finish` then gives the digests of nothing.
    public init(valueCount: Int, maximumRecordBytes: Int, digesting: Bool = true) throws(CompressionError) {
        inflation = try PayloadInflation(maximumRecordBytes: maximumRecordBytes, digesting: digesting)
        lines = CanonicalLineReader(valueCount: valueCount)
    }

    /// Feeds wire bytes; calls `body` with each complete record, with its 1-based position.
    public func consume(_ wire: UnsafeRawBufferPointer, _ body: (CanonicalRecord, Int64) throws -> Void) throws {
        try inflation.inflate(wire, into: &inflated)
        try lines.consume(inflated, body)
    }

    /// `consume` for a caller that needs each record's line, not its values as `String`s (the hub checks
    /// and projects the bytes as received): each line is checked as strictly as `consume` parses it. The
    /// line is valid only during the call.
    public func consumeLines(_ wire: UnsafeRawBufferPointer, _ body: (CanonicalRecordLine, Int64) throws -> Void) throws {
        try inflation.inflate(wire, into: &inflated)
        try lines.consumeLines(inflated, body)
    }

    public func consume(_ wire: [UInt8], _ body: (CanonicalRecord, Int64) throws -> Void) throws {
        try wire.withUnsafeBytes { try consume($0, body) }
    }

    /// At the end of the wire stream: checks it ended properly and returns the digests.
    public func finish() throws(InvalidInput) -> (records: PayloadDigest, wire: PayloadDigest) {
        let digests = try inflation.finish()
        try lines.finish()
        return digests
    }
}
