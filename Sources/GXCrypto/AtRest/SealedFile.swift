#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A payload sealed at rest: `"GXSM4v1" 0x00`, the data key's id (8 bytes), a random IV (16 bytes), the
/// SM4-CTR ciphertext, and an HMAC-SM3 (32 bytes) over all of it (encrypt-then-MAC). The ciphertext is
/// exactly what `openssl enc -sm4-ctr -K <key> -iv <IV>` makes of the plaintext, so an operator can open a
/// file without our tools; a file whose tag does not match is refused before a byte of it is used.
public enum SealedFile {
    public static let magic: [UInt8] = Array("GXSM4v1".utf8) + [0]
    public static let headerByteCount = 32
    public static let tagByteCount = HMACSM3.byteCount
    /// Bytes a sealed file adds to its plaintext.
    public static let overhead = headerByteCount + tagByteCount

    /// Seals the whole of `source` into a new file `target` (0600, never over an existing one).
    public static func seal(_ source: String, into target: String, key: DataKey) throws(CryptoError) {
        let writer = try SealedFileWriter(path: target, key: key)
        do {
            try forEachChunk(of: source) { (chunk) throws(CryptoError) in try writer.write(chunk) }
            try writer.finish()
        } catch {
            writer.abandon()
            throw error
        }
    }

    /// Opens a sealed `source` (its tag checked first) into a new plaintext file `target` (0600).
    public static func open(_ source: String, into target: String, keyring: DataKeyring) throws(CryptoError) {
        let reader = try SealedFileReader(path: source, keyring: keyring)
        defer { reader.close() }
        let descriptor = Glibc.open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .fileUnreadable(path: target, reason: String(cString: strerror(errno))) }
        defer { Glibc.close(descriptor) }
        while case let chunk = try reader.read(upTo: 1 << 20), !chunk.isEmpty {
            try writeAll(descriptor, chunk, path: target)
        }
    }

    static func forEachChunk(of path: String, _ body: (UnsafeRawBufferPointer) throws(CryptoError) -> Void) throws(CryptoError) {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .fileUnreadable(path: path, reason: String(cString: strerror(errno))) }
        defer { Glibc.close(descriptor) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            if count > 0 {
                try body(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            } else if count == 0 {
                return
            } else if errno != EINTR {
                throw .fileUnreadable(path: path, reason: String(cString: strerror(errno)))
            }
        }
    }

    static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(CryptoError) {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written > 0 { offset += written } else if written < 0 && errno == EINTR { continue } else {
                throw .fileUnreadable(path: path, reason: "cannot write: \(String(cString: strerror(errno)))")
            }
        }
    }

    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], path: String) throws(CryptoError) {
        try bytes.withBytes { (buffer) throws(CryptoError) in try writeAll(descriptor, buffer, path: path) }
    }
}
