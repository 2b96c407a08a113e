#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a ``SealedFile``: opening it checks the whole file's tag before any plaintext is handed out, and
/// reading checks it again as the bytes pass, so a file changed between the two is refused at its end —
/// unless the file was small enough to be read into memory while its tag was checked (``SealedFileMemory``):
/// then it is decrypted from that copy, which cannot change, in one pass.
///
/// Not Sendable: one file, read by one task at a time.
public final class SealedFileReader {
    public let path: String
    public let plaintextSize: Int64
    private let descriptor: Int32
    private let cipher: SM4CTRCipher
    private let recheck: HMACSM3
    private let expectedTag: [UInt8]
    private var remaining: Int64
    private var closed = false
    /// The ciphertext, when it was read into memory as its tag was checked; nil when it is read again.
    private var held: [UInt8]?
    private let memory: SealedFileMemory

    public init(path: String, keyring: DataKeyring, memory: SealedFileMemory = .shared) throws(CryptoError) {
        self.path = path
        self.memory = memory
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .fileUnreadable(path: path, reason: String(cString: strerror(errno))) }
        do throws(CryptoError) {
            var info = stat()
            guard fstat(descriptor, &info) == 0 else { throw CryptoError.fileUnreadable(path: path, reason: String(cString: strerror(errno))) }
            let size = Int64(info.st_size)
            guard size >= Int64(SealedFile.overhead) else {
                throw CryptoError.sealedFileRefused(path: path, reason: "it is \(size) bytes, shorter than any sealed file")
            }
            let header = try Self.read(descriptor, count: SealedFile.headerByteCount, at: 0, path: path)
            guard Array(header[0..<8]) == SealedFile.magic else {
                throw CryptoError.sealedFileRefused(path: path, reason: "it does not start as a sealed file does (GXSM4v1): it was written without a data key, or replaced")
            }
            let id = Array(header[8..<16])
            guard let key = keyring.key(id: id) else {
                throw CryptoError.sealedFileRefused(path: path, reason: "it was sealed under data key \(Hex.encode(id)), which \(keyring.directory) does not hold")
            }
            cipher = try SM4CTRCipher(key: key.encryptionKey, iv: Array(header[16..<32]))
            let check = HMACSM3(key: key.authenticationKey)
            check.update(header)
            let ciphertextSize = Int(size) - SealedFile.overhead
            var ciphertext: [UInt8]? = memory.take(ciphertextSize) ? [] : nil
            ciphertext?.reserveCapacity(ciphertextSize)
            do throws(CryptoError) {
                var offset = Int64(SealedFile.headerByteCount)
                let end = size - Int64(SealedFile.tagByteCount)
                while offset < end {
                    let chunk = try Self.read(descriptor, count: Int(min(1 << 20, end - offset)), at: offset, path: path)
                    check.update(chunk)
                    ciphertext?.append(contentsOf: chunk)
                    offset += Int64(chunk.count)
                }
                expectedTag = try Self.read(descriptor, count: SealedFile.tagByteCount, at: end, path: path)
                guard HMACSM3.equal(check.finalize(), expectedTag) else {
                    throw CryptoError.sealedFileRefused(path: path, reason: "its HMAC-SM3 does not match: it was changed after it was sealed")
                }
            } catch {
                if ciphertext != nil { memory.give(ciphertextSize) }
                throw error
            }
            held = ciphertext
            recheck = HMACSM3(key: key.authenticationKey)
            recheck.update(header)
            plaintextSize = size - Int64(SealedFile.overhead)
            remaining = plaintextSize
        } catch {
            Glibc.close(descriptor)
            throw error
        }
    }

    deinit { close() }

    /// The next plaintext bytes, at most `count`; empty at the end.
    public func read(upTo count: Int) throws(CryptoError) -> [UInt8] {
        guard remaining > 0 else { return [] }
        if let held {
            let start = Int(plaintextSize - remaining)
            var chunk = Array(held[start..<start + Int(min(Int64(count), remaining))])
            remaining -= Int64(chunk.count)
            cipher.apply(&chunk)
            return chunk
        }
        let offset = Int64(SealedFile.headerByteCount) + plaintextSize - remaining
        var chunk = try Self.read(descriptor, count: Int(min(Int64(count), remaining)), at: offset, path: path)
        recheck.update(chunk)
        remaining -= Int64(chunk.count)
        if remaining == 0, !HMACSM3.equal(recheck.finalize(), expectedTag) {
            throw .sealedFileRefused(path: path, reason: "it changed while it was read")
        }
        cipher.apply(&chunk)
        return chunk
    }

    /// Every plaintext byte; for small files (manifests, answers).
    public func readAll() throws(CryptoError) -> [UInt8] {
        var all: [UInt8] = []
        while case let chunk = try read(upTo: 1 << 20), !chunk.isEmpty { all += chunk }
        return all
    }

    public func close() {
        guard !closed else { return }
        Glibc.close(descriptor)
        closed = true
        if let held {
            memory.give(held.count)
            self.held = nil
        }
    }

    private static func read(_ descriptor: Int32, count: Int, at offset: Int64, path: String) throws(CryptoError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + filled, count - filled, off_t(offset) + off_t(filled)) }
            if got > 0 { filled += got } else if got < 0 && errno == EINTR { continue } else if got == 0 {
                throw .sealedFileRefused(path: path, reason: "it ended early: it was truncated")
            } else {
                throw .fileUnreadable(path: path, reason: String(cString: strerror(errno)))
            }
        }
        return bytes
    }
}
