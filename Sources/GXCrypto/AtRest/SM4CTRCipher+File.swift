#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension SM4CTRCipher {
    /// Encrypts or decrypts the file `source` into a new file `target` (0600) with bare SM4-CTR, byte for
    /// byte what `openssl enc [-d] -sm4-ctr -K KEY -iv IV` writes: no header, no tag.
    public static func transform(file source: String, into target: String, key: [UInt8], iv: [UInt8]) throws(CryptoError) {
        let cipher = try SM4CTRCipher(key: key, iv: iv)
        let descriptor = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .fileUnreadable(path: target, reason: "cannot create: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { output.deallocate() }
        try SealedFile.forEachChunk(of: source) { (chunk) throws(CryptoError) in
            let region = UnsafeMutableRawBufferPointer(rebasing: output[..<chunk.count])
            cipher.apply(chunk, into: region)
            try SealedFile.writeAll(descriptor, UnsafeRawBufferPointer(region), path: target)
        }
    }
}
