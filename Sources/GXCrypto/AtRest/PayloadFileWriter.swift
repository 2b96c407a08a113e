#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file that holds records (a batch, a delivery, a spool or quarantine file): sealed under a data
/// key when the hub or agent has one (``SealedFileWriter``), plain otherwise, so callers write both the same
/// way. The file is created 0600 and is durable after ``finish()``.
///
/// Not Sendable: one file, written by one task at a time.
public final class PayloadFileWriter {
    public let path: String
    private let sealed: SealedFileWriter?
    private let descriptor: Int32
    private var pending: [UInt8] = []
    private var closed = false
    private static let flushSize = 256 * 1024

    public init(path: String, sealingWith key: DataKey?) throws(CryptoError) {
        self.path = path
        if let key {
            sealed = try SealedFileWriter(path: path, key: key)
            descriptor = -1
        } else {
            sealed = nil
            descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw .fileUnreadable(path: path, reason: "cannot create: \(String(cString: strerror(errno)))") }
            pending.reserveCapacity(Self.flushSize + 64 * 1024)
        }
    }

    deinit { if sealed == nil, !closed { close(descriptor) } }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(CryptoError) {
        if let sealed { return try sealed.write(bytes) }
        pending.append(contentsOf: bytes)
        if pending.count >= Self.flushSize { try flush() }
    }

    public func write(_ bytes: [UInt8]) throws(CryptoError) {
        try bytes.withBytes { (buffer) throws(CryptoError) in try write(buffer) }
    }

    /// Any byte sequence (`Data`, a `ByteBuffer`'s readable view); contiguous ones are written in place.
    public func write(_ bytes: some Sequence<UInt8>) throws(CryptoError) {
        let outcome: Result<Void, CryptoError>? = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(CryptoError) in try write(UnsafeRawBufferPointer(buffer)) }
        }
        if let outcome { try outcome.get() } else { try write(Array(bytes)) }
    }

    /// Writes what is buffered (and, sealed, the tag), syncs and closes.
    public func finish() throws(CryptoError) {
        if let sealed { return try sealed.finish() }
        try flush()
        guard fsync(descriptor) == 0 else { throw .fileUnreadable(path: path, reason: "cannot sync: \(String(cString: strerror(errno)))") }
        closed = true
        guard close(descriptor) == 0 else { throw .fileUnreadable(path: path, reason: "cannot close: \(String(cString: strerror(errno)))") }
    }

    /// Closes and deletes an unfinished file.
    public func abandon() {
        if let sealed { return sealed.abandon() }
        if !closed { close(descriptor); closed = true }
        unlink(path)
    }

    private func flush() throws(CryptoError) {
        try SealedFile.writeAll(descriptor, pending, path: path)
        pending.removeAll(keepingCapacity: true)
    }
}
