#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file that holds records the way ``PayloadFileWriter`` wrote it: with a keyring, only a sealed
/// file whose tag matches is read (a plain or changed file is refused, never served); without one, the
/// plain bytes.
///
/// Not Sendable: one file, read by one task at a time.
public final class PayloadFileReader {
    public let path: String
    /// The plaintext's length in bytes.
    public let size: Int64
    private let sealed: SealedFileReader?
    private let descriptor: Int32
    private var closed = false

    public init(path: String, keyring: DataKeyring?) throws(CryptoError) {
        self.path = path
        if let keyring {
            let sealed = try SealedFileReader(path: path, keyring: keyring)
            self.sealed = sealed
            size = sealed.plaintextSize
            descriptor = -1
        } else {
            sealed = nil
            descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw .fileUnreadable(path: path, reason: String(cString: strerror(errno))) }
            var info = stat()
            guard fstat(descriptor, &info) == 0 else {
                let reason = String(cString: strerror(errno))
                Glibc.close(descriptor)
                throw .fileUnreadable(path: path, reason: reason)
            }
            size = Int64(info.st_size)
        }
    }

    deinit { close() }

    /// The plaintext's length of the file at `path` as ``PayloadFileWriter`` wrote it (sealed when `sealed`),
    /// from its size alone: for a `Content-Length`, where opening would check the whole tag once more.
    public static func plaintextSize(path: String, sealed: Bool) throws(CryptoError) -> Int64 {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .fileUnreadable(path: path, reason: String(cString: strerror(errno))) }
        let size = Int64(info.st_size)
        guard sealed else { return size }
        guard size >= Int64(SealedFile.overhead) else {
            throw .sealedFileRefused(path: path, reason: "it is \(size) bytes, shorter than any sealed file")
        }
        return size - Int64(SealedFile.overhead)
    }

    /// The next bytes, at most `count`; empty at the end.
    public func read(upTo count: Int) throws(CryptoError) -> [UInt8] {
        if let sealed { return try sealed.read(upTo: count) }
        var bytes = [UInt8](repeating: 0, count: count)
        while true {
            let got = bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, count) }
            if got >= 0 { bytes.removeLast(count - got); return bytes }
            if errno != EINTR { throw .fileUnreadable(path: path, reason: String(cString: strerror(errno))) }
        }
    }

    /// Every byte; for small files.
    public func readAll() throws(CryptoError) -> [UInt8] {
        var all: [UInt8] = []
        while case let chunk = try read(upTo: 1 << 20), !chunk.isEmpty { all += chunk }
        return all
    }

    public func close() {
        if let sealed { return sealed.close() }
        if !closed { Glibc.close(descriptor); closed = true }
    }
}
