import COpenSSL

/// Streaming HMAC (RFC 2104) with SM3, as `openssl mac -digest SM3 HMAC` computes it: the integrity half
/// of a sealed payload (encrypt-then-MAC over the SM4-CTR ciphertext).
///
/// Not Sendable: one stream, driven by one task at a time.
public final class HMACSM3 {
    public static let byteCount = 32
    private let context: OpaquePointer

    public init(key: [UInt8]) {
        guard let context = EVP_MAC_CTX_new(HMACAlgorithm.shared.mac) else { fatalError("EVP_MAC_CTX_new: out of memory") }
        self.context = context
        guard key.withUnsafeBufferPointer({ gx_hmac_sm3_init(context, $0.baseAddress, $0.count) }) == 1 else {
            fatalError("HMAC-SM3 init failed: \(CryptoError.openssl("EVP_MAC_init"))")
        }
    }

    deinit { EVP_MAC_CTX_free(context) }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        guard EVP_MAC_update(context, base.assumingMemoryBound(to: UInt8.self), bytes.count) == 1 else {
            fatalError("HMAC-SM3 update failed: \(CryptoError.openssl("EVP_MAC_update"))")
        }
    }

    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The 32-byte tag of everything updated so far; the context is spent afterwards.
    public func finalize() -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: Self.byteCount) { buffer, count in
            var length = 0
            guard EVP_MAC_final(context, buffer.baseAddress, &length, Self.byteCount) == 1, length == Self.byteCount else {
                fatalError("HMAC-SM3 final failed: \(CryptoError.openssl("EVP_MAC_final"))")
            }
            count = length
        }
    }

    /// Compares two tags in time independent of where they differ.
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// OpenSSL's HMAC, fetched once.
final class HMACAlgorithm: @unchecked Sendable {
    static let shared = HMACAlgorithm()
    let mac: OpaquePointer

    private init() {
        guard let mac = EVP_MAC_fetch(nil, "HMAC", nil) else {
            fatalError("this OpenSSL has no HMAC: \(CryptoError.openssl("EVP_MAC_fetch(HMAC)"))")
        }
        self.mac = mac
    }

    deinit { EVP_MAC_free(mac) }
}
