import COpenSSL

/// Owns an `EVP_PKEY` and frees it.
///
/// Sendable because the key is never modified after creation and every operation on it creates its own
/// `EVP_PKEY_CTX`/`EVP_MD_CTX`; OpenSSL 3 allows concurrent use of a key under those conditions.
final class EVPKey: @unchecked Sendable {
    let pointer: OpaquePointer

    /// Takes ownership of `pointer` (one reference).
    init(taking pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit { EVP_PKEY_free(pointer) }

    var isSM2: Bool { EVP_PKEY_is_a(pointer, "SM2") == 1 }

    /// DER SubjectPublicKeyInfo: the canonical public form, for equality and to split off the public half.
    func subjectPublicKeyInfoDER() throws(CryptoError) -> [UInt8] {
        let length = i2d_PUBKEY(pointer, nil)
        guard length > 0 else { throw .openssl("i2d_PUBKEY") }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor = buffer.baseAddress
            return i2d_PUBKEY(pointer, &cursor)
        }
        guard written == length else { throw .openssl("i2d_PUBKEY") }
        return der
    }

    /// Parses DER SubjectPublicKeyInfo into a key that holds no private material.
    static func fromSubjectPublicKeyInfo(_ der: [UInt8]) throws(CryptoError) -> EVPKey {
        let key = der.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            var cursor = buffer.baseAddress
            return d2i_PUBKEY(nil, &cursor, buffer.count)
        }
        guard let key else { throw .openssl("d2i_PUBKEY") }
        return EVPKey(taking: key)
    }
}
