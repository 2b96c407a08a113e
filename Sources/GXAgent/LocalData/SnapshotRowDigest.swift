import GXCrypto

/// A row's 32-byte snapshot digest held inline, so a prepared row carries it without an allocation.
struct SnapshotRowDigest: Sendable {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    /// The digest of `line` by `digester`.
    init(of line: [UInt8], by digester: LineDigester) {
        line.withUnsafeBytes { line in
            withUnsafeMutableBytes(of: &words) { digester.digest(line, into: $0) }
        }
    }

    /// The digest held in `bytes` (32 of them, as a snapshot file keeps it).
    init(bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count == SnapshotFileFormat.digestLength, "a row digest has \(SnapshotFileFormat.digestLength) bytes")
        withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: bytes) }
    }

    func withUnsafeBytes<Result, Failure: Error>(_ body: (UnsafeRawBufferPointer) throws(Failure) -> Result) throws(Failure) -> Result {
        var words = words
        return try Swift.withUnsafeBytes(of: &words) { bytes throws(Failure) in try body(bytes) }
    }
}
