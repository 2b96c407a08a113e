import COpenSSL

/// One-shot SHA-256, which OpenSSL runs on the CPU's SHA extensions where it has them: about four times
/// SM3's speed on short lines. Only for what never leaves an agent — the digests of its change-detection
/// snapshot; everything exchanged, signed or audited is SM3.
public enum SHA256 {
    public static let byteCount = 32

    public static func digest(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { digest($0) }
    }

    public static func digest(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: byteCount) { buffer, count in
            guard EVP_Digest(bytes.baseAddress, bytes.count, buffer.baseAddress, nil, SHA256Algorithm.shared.md, nil) == 1 else {
                fatalError("SHA-256 digest failed: \(CryptoError.openssl("EVP_Digest"))")
            }
            count = byteCount
        }
    }
}

/// OpenSSL's SHA-256, fetched once (see `SM3Algorithm` for why).
final class SHA256Algorithm: @unchecked Sendable {
    static let shared = SHA256Algorithm()

    /// `EVP_MD *`; immutable and reference counted by OpenSSL, so safe to use from any thread.
    let md: OpaquePointer

    private init() {
        guard let md = EVP_MD_fetch(nil, "SHA256", nil) else {
            fatalError("this OpenSSL has no SHA-256: \(CryptoError.openssl("EVP_MD_fetch(SHA256)"))")
        }
        self.md = md
    }

    deinit { EVP_MD_free(md) }
}
