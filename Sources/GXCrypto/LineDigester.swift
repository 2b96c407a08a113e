import COpenSSL

/// Digests many short messages one after another in one OpenSSL context. `EVP_Digest` makes and frees a
/// context (and its provider state) for every call, which for a snapshot's one digest per row costs more
/// than hashing the row. Not Sendable: one per thread.
public final class LineDigester {
    public enum Algorithm: Sendable {
        case sm3
        case sha256
    }

    public static let byteCount = 32
    private let context: OpaquePointer
    private let md: OpaquePointer

    public init(_ algorithm: Algorithm) {
        md = switch algorithm {
        case .sm3: SM3Algorithm.shared.md
        case .sha256: SHA256Algorithm.shared.md
        }
        guard let context = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new: out of memory") }
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Writes the 32-byte digest of `bytes` to the start of `output`, which must hold at least 32 bytes.
    public func digest(_ bytes: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) {
        precondition(output.count >= Self.byteCount, "a digest needs \(Self.byteCount) bytes")
        guard EVP_DigestInit_ex(context, md, nil) == 1,
              EVP_DigestUpdate(context, bytes.baseAddress, bytes.count) == 1,
              EVP_DigestFinal_ex(context, output.baseAddress?.assumingMemoryBound(to: UInt8.self), nil) == 1 else {
            fatalError("digest failed: \(CryptoError.openssl("EVP_Digest*"))")
        }
    }

    /// Writes the 32-byte digest of `first` followed by `second` (one message in two pieces) to `output`.
    public func digest(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) {
        precondition(output.count >= Self.byteCount, "a digest needs \(Self.byteCount) bytes")
        guard EVP_DigestInit_ex(context, md, nil) == 1,
              EVP_DigestUpdate(context, first.baseAddress, first.count) == 1,
              EVP_DigestUpdate(context, second.baseAddress, second.count) == 1,
              EVP_DigestFinal_ex(context, output.baseAddress?.assumingMemoryBound(to: UInt8.self), nil) == 1 else {
            fatalError("digest failed: \(CryptoError.openssl("EVP_Digest*"))")
        }
    }
}
