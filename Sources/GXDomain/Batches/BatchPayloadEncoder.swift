import GXCrypto

/// Turns records into a batch payload as they come: canonical lines, SM3 over them, deflate, SM3 over the
/// wire bytes. Output is taken in pieces, so a batch of any size streams from source to wire.
///
/// Not Sendable: one task drives one payload.
public final class BatchPayloadEncoder {
    private let deflater: Deflater
    private var lines: [UInt8] = []
    private var wireOut: [UInt8] = []
    private var recordsHasher = SM3Hasher()
    private var wireHasher = SM3Hasher()
    private var recordBytes: Int64 = 0
    private var wireBytes: Int64 = 0
    public private(set) var counts = BatchCounts()
    private let flushThreshold: Int
    private let digestingRecords: Bool

    /// `buffer` bounds the lines gathered before they are deflated, and the deflater's output room: small for the
    /// hub, which projects one batch into many deliveries at once. `digestingRecords: false` leaves the SM3
    /// of the lines to a caller that computes it on another core; `digests` then gives the records' of nothing.
    public init(level: Int32 = 1, buffer: Int = 256 * 1024, digestingRecords: Bool = true) throws(CompressionError) {
        flushThreshold = buffer
        self.digestingRecords = digestingRecords
        deflater = try Deflater(level: level, outputBuffer: buffer)
        lines.reserveCapacity(buffer + 4096)
    }

    public func append(_ record: CanonicalRecord) throws(CompressionError) {
        record.write(into: &lines)
        try recordAppended(record.operation)
    }

    /// Appends a record already in its canonical line form (as `CanonicalRecord.write` produced it), so a
    /// caller that needed the bytes anyway — to digest them — does not encode the record twice.
    public func append(encoded line: [UInt8], operation: RecordOperation) throws(CompressionError) {
        lines.append(contentsOf: line)
        try recordAppended(operation)
    }

    /// Appends whole canonical lines at once (each ending in `"\n"`, as `CanonicalRecord.write` produces
    /// them) holding `upserts` and `deletes` records.
    public func append(encodedLines: some Collection<UInt8>, upserts: Int64, deletes: Int64) throws(CompressionError) {
        lines.append(contentsOf: encodedLines)
        counts.upserts += upserts
        counts.deletes += deletes
        if lines.count >= flushThreshold { try flushLines() }
    }

    private func recordAppended(_ operation: RecordOperation) throws(CompressionError) {
        switch operation {
        case .upsert: counts.upserts += 1
        case .delete: counts.deletes += 1
        }
        if lines.count >= flushThreshold { try flushLines() }
    }

    /// Compressed bytes produced so far and not yet taken.
    public var pendingWireBytes: Int { wireOut.count }

    /// Hands over the compressed bytes produced so far.
    public func takeWire() -> [UInt8] {
        let out = wireOut
        wireOut.removeAll(keepingCapacity: true)
        wireHasher.update(out)
        wireBytes += Int64(out.count)
        return out
    }

    /// Ends the stream; take the last wire bytes with `takeWire()` afterwards, then read `digests`.
    public func finish() throws(CompressionError) {
        try flushLines()
        try deflater.finish(into: &wireOut)
    }

    /// Call after `finish()` and the last `takeWire()`.
    public func digests() -> (records: PayloadDigest, wire: PayloadDigest) {
        var r = recordsHasher, w = wireHasher
        return (PayloadDigest(sm3: r.finalize().hex, bytes: recordBytes), PayloadDigest(sm3: w.finalize().hex, bytes: wireBytes))
    }

    private func flushLines() throws(CompressionError) {
        guard !lines.isEmpty else { return }
        if digestingRecords { recordsHasher.update(lines) }
        recordBytes += Int64(lines.count)
        try deflater.compress(lines, into: &wireOut)
        lines.removeAll(keepingCapacity: true)
    }
}
