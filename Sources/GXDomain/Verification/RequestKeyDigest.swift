import GXCrypto

/// SM3 over a request's keys in their order: each key's bytes as they stand in its canonical line, then
/// `"\n"` (a key's tokens are quoted strings, so no key holds a raw newline).
///
/// The hub keeps it with a request whose every record asks every checked item. An answer to such a request
/// is then checked against it without reading the request again: the answer's keys in order have the same
/// digest exactly when the answer answers the same records in the same order, and with every item asked the
/// words allowed for each record follow from its `found` alone.
public struct RequestKeyDigest {
    private var hasher = SM3Hasher()
    private var buffer: [UInt8] = []
    private static let chunk = 64 * 1024

    public init() {
        buffer.reserveCapacity(Self.chunk + 256)
    }

    /// Adds the next record's key (``VerificationOutcome/key(of:keyCount:)``).
    public mutating func append(_ key: ArraySlice<UInt8>) {
        buffer.append(contentsOf: key)
        buffer.append(UInt8(ascii: "\n"))
        // Hashed a chunk at a time: SM3 over a key at a time would cost several times more.
        if buffer.count >= Self.chunk {
            hasher.update(buffer)
            buffer.removeAll(keepingCapacity: true)
        }
    }

    /// The digest (lowercase hex) of the keys added so far.
    public mutating func finish() -> String {
        hasher.update(buffer)
        buffer.removeAll(keepingCapacity: true)
        return hasher.finalize().hex
    }
}
