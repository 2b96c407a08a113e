#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension SM3 {
    /// Size of each read: large enough that syscalls vanish next to hashing, small enough to stay flat.
    static let fileChunkSize = 1 << 20

    /// SM3 of a file's contents, read in 1 MiB chunks so memory stays flat whatever its size;
    /// agrees with `openssl dgst -sm3 FILE`.
    public static func digest(fileAt path: String) throws(CryptoError) -> SM3Digest {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .fileUnreadable(path: path, reason: lastErrorText()) }
        defer { close(descriptor) }

        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: fileChunkSize, alignment: 64)
        defer { buffer.deallocate() }
        var hasher = SM3Hasher()
        while true {
            let count = read(descriptor, buffer.baseAddress, buffer.count)
            if count > 0 {
                hasher.update(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            } else if count == 0 {
                return hasher.finalize()
            } else if errno != EINTR {
                // e.g. EISDIR for a directory, EIO for a failing disk.
                throw .fileUnreadable(path: path, reason: lastErrorText())
            }
        }
    }

    private static func lastErrorText() -> String {
        String(cString: strerror(errno))
    }
}
