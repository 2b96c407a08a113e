#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a ``SealedFile`` as its plaintext streams in: each piece is encrypted and taken into the tag as it
/// is written, so a batch of any size is sealed in one pass with a flat buffer.
///
/// Not Sendable: one file, written by one task at a time.
public final class SealedFileWriter {
    public let path: String
    public private(set) var plaintextCount: Int64 = 0
    private let descriptor: Int32
    /// The format itself (header, SM4-CTR, HMAC-SM3), shared with payloads kept in a database.
    private let sealer: PayloadSealer
    private var pending: [UInt8] = []
    private var closed = false
    private static let flushSize = 256 * 1024

    /// Creates `path` (0600; refuses an existing file) and writes the header. `iv` is random unless given
    /// (tests compare with `openssl enc` under a known IV).
    public init(path: String, key: DataKey, iv: [UInt8]? = nil) throws(CryptoError) {
        sealer = try PayloadSealer(key: key, iv: iv)
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .fileUnreadable(path: path, reason: "cannot create: \(String(cString: strerror(errno)))") }
        pending.reserveCapacity(Self.flushSize + 64 * 1024)
        pending = sealer.header
    }

    deinit { if !closed { close(descriptor) } }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(CryptoError) {
        guard !bytes.isEmpty else { return }
        precondition(!closed, "write to a finished sealed file")
        sealer.seal(bytes, appendingTo: &pending)
        plaintextCount += Int64(bytes.count)
        if pending.count >= Self.flushSize { try flush() }
    }

    public func write(_ bytes: [UInt8]) throws(CryptoError) {
        try bytes.withBytes { (buffer) throws(CryptoError) in try write(buffer) }
    }

    /// Appends the tag, syncs and closes: only now is the file a sealed file that readers accept.
    public func finish() throws(CryptoError) {
        precondition(!closed, "a sealed file finished twice")
        pending += sealer.finish()
        try flush()
        guard fsync(descriptor) == 0 else { throw .fileUnreadable(path: path, reason: "cannot sync: \(String(cString: strerror(errno)))") }
        closed = true
        guard close(descriptor) == 0 else { throw .fileUnreadable(path: path, reason: "cannot close: \(String(cString: strerror(errno)))") }
    }

    /// Closes and deletes an unfinished file.
    public func abandon() {
        if !closed { close(descriptor); closed = true }
        unlink(path)
    }

    private func flush() throws(CryptoError) {
        try SealedFile.writeAll(descriptor, pending, path: path)
        pending.removeAll(keepingCapacity: true)
    }
}
