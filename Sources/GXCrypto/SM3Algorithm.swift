import COpenSSL

/// OpenSSL's SM3 implementation, fetched from the provider once. Passing `EVP_sm3()` instead makes
/// OpenSSL 3 re-fetch it (a locked lookup) on every digest init, which shows up when hashing tokens,
/// audit links and small records by the million.
final class SM3Algorithm: @unchecked Sendable {
    static let shared = SM3Algorithm()

    /// `EVP_MD *`; immutable and reference counted by OpenSSL, so safe to use from any thread.
    let md: OpaquePointer

    private init() {
        guard let md = EVP_MD_fetch(nil, "SM3", nil) else {
            // SM3 is in OpenSSL 3's default provider; only a FIPS-only or stripped build lacks it.
            fatalError("this OpenSSL has no SM3 (is the default provider disabled?): \(CryptoError.openssl("EVP_MD_fetch(SM3)"))")
        }
        self.md = md
    }

    deinit { EVP_MD_free(md) }
}
