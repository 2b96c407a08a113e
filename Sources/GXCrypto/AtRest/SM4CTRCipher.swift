import COpenSSL

/// SM4 in counter mode (GB/T 32907; the cipher of `openssl enc -sm4-ctr`): a keystream XORed over the
/// bytes, so encrypting and decrypting are the same operation and any length needs no padding. Payloads at
/// rest use it under a ``DataKey``, with an HMAC-SM3 over the ciphertext for integrity (``SealedFileWriter``).
///
/// Not Sendable: one stream, driven by one task at a time.
public final class SM4CTRCipher {
    public static let keyByteCount = 16
    public static let ivByteCount = 16
    private let context: OpaquePointer

    /// `iv` is the initial 128-bit counter block, as `openssl enc -iv` takes it.
    public init(key: [UInt8], iv: [UInt8]) throws(CryptoError) {
        guard key.count == Self.keyByteCount else {
            throw .invalidKey(reason: "an SM4 key is 16 bytes (32 hex digits), this one is \(key.count) bytes")
        }
        guard iv.count == Self.ivByteCount else {
            throw .invalidKey(reason: "an SM4-CTR IV is 16 bytes (32 hex digits), this one is \(iv.count) bytes")
        }
        guard let context = EVP_CIPHER_CTX_new() else { fatalError("EVP_CIPHER_CTX_new: out of memory") }
        self.context = context
        guard EVP_EncryptInit_ex2(context, SM4CTRAlgorithm.shared.cipher, key, iv, nil) == 1 else {
            throw .openssl("EVP_EncryptInit_ex2(SM4-CTR)")
        }
    }

    deinit { EVP_CIPHER_CTX_free(context) }

    /// XORs the next `input.count` bytes of keystream over `input` into `output`, which must have room for
    /// as many bytes and may be the same memory as `input`.
    public func apply(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) {
        precondition(output.count >= input.count, "SM4-CTR output is smaller than its input")
        guard let source = input.baseAddress, let target = output.baseAddress, !input.isEmpty else { return }
        var offset = 0
        while offset < input.count {
            let piece = min(input.count - offset, Int(Int32.max / 2))
            var written: Int32 = 0
            // Counter mode cannot fail on a set-up context; checked so a broken provider is loud.
            guard EVP_EncryptUpdate(context, (target + offset).assumingMemoryBound(to: UInt8.self), &written,
                                    (source + offset).assumingMemoryBound(to: UInt8.self), Int32(piece)) == 1, Int(written) == piece else {
                fatalError("SM4-CTR update failed: \(CryptoError.openssl("EVP_EncryptUpdate"))")
            }
            offset += piece
        }
    }

    /// Encrypts or decrypts `bytes` in place.
    public func apply(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { buffer in apply(UnsafeRawBufferPointer(buffer), into: buffer) }
    }
}

/// OpenSSL's SM4-CTR, fetched from the provider once (see ``SM3Algorithm`` for why).
final class SM4CTRAlgorithm: @unchecked Sendable {
    static let shared = SM4CTRAlgorithm()

    /// `EVP_CIPHER *`; immutable and reference counted by OpenSSL, so safe to use from any thread.
    let cipher: OpaquePointer

    private init() {
        guard let cipher = EVP_CIPHER_fetch(nil, "SM4-CTR", nil) else {
            fatalError("this OpenSSL has no SM4-CTR (is the default provider disabled?): \(CryptoError.openssl("EVP_CIPHER_fetch(SM4-CTR)"))")
        }
        self.cipher = cipher
    }

    deinit { EVP_CIPHER_free(cipher) }
}
