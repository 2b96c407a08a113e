import GXCrypto

/// The first half of reading a payload: SM3 and size of the wire bytes, inflate (bounded), SM3 of the
/// canonical lines. The second half, splitting and checking the lines, is ``CanonicalLineReader``; the two
/// can run on different cores, a piece apart (the hub's `InflationAhead`).
///
/// Not Sendable: one task at a time drives one payload.
public final class PayloadInflation {
    private let inflater: Inflater
    private var recordsHasher = SM3Hasher()
    private var wireHasher = SM3Hasher()
    private var wireBytes: Int64 = 0
    private let maximumRecordBytes: Int
    private let digesting: Bool

    /// - Parameters:
    ///   - maximumRecordBytes: the most inflated bytes accepted in all, against decompression bombs.
    ///   - digesting: false only to read again a payload whose digests were checked when it was kept (SM3 is
    ///     most of the cost of reading one); `finish` then gives the digests of nothing.
    public init(maximumRecordBytes: Int, digesting: Bool = true) throws(CompressionError) {
        inflater = try Inflater()
        self.maximumRecordBytes = maximumRecordBytes
        self.digesting = digesting
    }

    /// Digests and inflates wire bytes, replacing `inflated` with what they inflate to.
    public func inflate(_ wire: UnsafeRawBufferPointer, into inflated: inout [UInt8]) throws(InvalidInput) {
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

    /// At the end of the wire stream: checks it ended properly and returns the digests.
    public func finish() throws(InvalidInput) -> (records: PayloadDigest, wire: PayloadDigest) {
        do {
            try inflater.finish()
        } catch {
            throw InvalidInput(field: "payload", reason: "\(error)")
        }
        var r = recordsHasher, w = wireHasher
        return (PayloadDigest(sm3: r.finalize().hex, bytes: Int64(inflater.outputCount)), PayloadDigest(sm3: w.finalize().hex, bytes: wireBytes))
    }
}
