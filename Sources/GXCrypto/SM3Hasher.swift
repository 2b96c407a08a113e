import COpenSSL

/// Streaming SM3 for inputs far larger than memory (batch files, exports).
///
/// A value type with copy-on-write: copying a hasher mid-stream forks it (the OpenSSL context is only
/// duplicated if both copies are then updated), and updates never allocate.
public struct SM3Hasher: @unchecked Sendable {
    // @unchecked: the context is only mutated after `isKnownUniquelyReferenced`, as Array does.
    private var context: Context

    public init() {
        context = Context()
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        makeUnique()
        context.update(base, count: bytes.count)
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Hashes the UTF-8 encoding of `text`.
    public mutating func update(_ text: String) {
        var text = text
        text.withUTF8 { update(UnsafeRawBufferPointer($0)) }
    }

    /// Any byte sequence (`ArraySlice`, `Data`, …); contiguous ones are hashed in place.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil { update(Array(bytes)) }
    }

    /// Returns the digest of everything hashed so far and starts the hasher on a fresh, empty message.
    public mutating func finalize() -> SM3Digest {
        makeUnique()
        return context.finalizeAndReset()
    }

    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&context) { context = context.copy() }
    }
}

extension SM3Hasher {
    /// Owns one `EVP_MD_CTX` set up for SM3.
    final class Context {
        private let pointer: OpaquePointer

        init() {
            guard let pointer = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new: out of memory") }
            self.pointer = pointer
            start()
        }

        private init(copying other: OpaquePointer) {
            guard let pointer = EVP_MD_CTX_new(), EVP_MD_CTX_copy_ex(pointer, other) == 1 else {
                fatalError("cannot copy an SM3 context: \(CryptoError.openssl("EVP_MD_CTX_copy_ex"))")
            }
            self.pointer = pointer
        }

        deinit { EVP_MD_CTX_free(pointer) }

        func copy() -> Context { Context(copying: pointer) }

        func update(_ base: UnsafeRawPointer, count: Int) {
            // Cannot fail for an initialised software digest; checked so a broken provider is loud.
            guard EVP_DigestUpdate(pointer, base, count) == 1 else {
                fatalError("SM3 update failed: \(CryptoError.openssl("EVP_DigestUpdate"))")
            }
        }

        func finalizeAndReset() -> SM3Digest {
            let bytes = [UInt8](unsafeUninitializedCapacity: SM3Digest.byteCount) { buffer, count in
                guard EVP_DigestFinal_ex(pointer, buffer.baseAddress, nil) == 1 else {
                    fatalError("SM3 final failed: \(CryptoError.openssl("EVP_DigestFinal_ex"))")
                }
                count = SM3Digest.byteCount
            }
            start()
            return SM3Digest(unchecked: bytes)
        }

        private func start() {
            guard EVP_DigestInit_ex(pointer, SM3Algorithm.shared.md, nil) == 1 else {
                fatalError("SM3 init failed: \(CryptoError.openssl("EVP_DigestInit_ex"))")
            }
        }
    }
}
