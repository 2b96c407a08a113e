import COpenSSL

extension EVPKey {
    /// The SM2 distinguishing ID of GM/T 0009 that other SM2 tools use by default. OpenSSL 3.0 defaults
    /// to an empty ID, so without setting it our signatures would not verify elsewhere, nor theirs here.
    static let sm2DistinguishingID: [UInt8] = Array("1234567812345678".utf8)

    /// DER `ECDSA_SIG` over SM3(Z ‖ message), Z computed with the distinguishing ID.
    func sm2Sign(_ message: UnsafeRawBufferPointer) throws(CryptoError) -> [UInt8] {
        try withSM2DigestContext("SM2 sign") { (context) throws(CryptoError) -> [UInt8] in
            guard EVP_DigestSignInit(context, nil, SM3Algorithm.shared.md, nil, pointer) == 1 else {
                throw .openssl("SM2 sign: EVP_DigestSignInit")
            }
            var length = Int(EVP_PKEY_get_size(pointer))
            var signature = [UInt8](repeating: 0, count: length)
            let status = signature.withUnsafeMutableBufferPointer { out in
                EVP_DigestSign(context, out.baseAddress, &length,
                               message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count)
            }
            guard status == 1 else { throw .openssl("SM2 sign: EVP_DigestSign") }
            signature.removeSubrange(length...)
            return signature
        }
    }

    /// True only for a DER signature made with the matching private key over exactly `message`.
    func sm2Verify(_ signature: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer) -> Bool {
        let valid = try? withSM2DigestContext("SM2 verify") { (context) throws(CryptoError) -> Bool in
            guard EVP_DigestVerifyInit(context, nil, SM3Algorithm.shared.md, nil, pointer) == 1 else {
                throw .openssl("SM2 verify: EVP_DigestVerifyInit")
            }
            // 1 valid, 0 wrong signature, < 0 malformed DER: only 1 counts. OpenSSL also rejects
            // non-canonical DER and trailing bytes, so a signature cannot be re-encoded into a second one.
            return EVP_DigestVerify(context,
                                    signature.baseAddress?.assumingMemoryBound(to: UInt8.self), signature.count,
                                    message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count) == 1
        }
        // A failed verification leaves entries on the thread's error queue; they are not errors here.
        ERR_clear_error()
        return valid ?? false
    }

    /// Runs `body` with a fresh digest context whose key context carries the SM2 distinguishing ID.
    ///
    /// The ID has to be on the PKEY context before `EVP_DigestSign/VerifyInit`; OpenSSL 3.0 caches it
    /// and applies it when the init creates the signature operation.
    private func withSM2DigestContext<Result>(
        _ operation: String, _ body: (OpaquePointer) throws(CryptoError) -> Result
    ) throws(CryptoError) -> Result {
        guard let keyContext = EVP_PKEY_CTX_new(pointer, nil) else { throw .openssl("\(operation): EVP_PKEY_CTX_new") }
        // The digest context does not own the key context (EVP_MD_CTX_set_pkey_ctx); free both, digest
        // context first (defers run in reverse).
        defer { EVP_PKEY_CTX_free(keyContext) }
        let idSet = Self.sm2DistinguishingID.withUnsafeBytes { id in
            EVP_PKEY_CTX_set1_id(keyContext, id.baseAddress, Int32(id.count))
        }
        guard idSet == 1 else { throw .openssl("\(operation): EVP_PKEY_CTX_set1_id") }
        guard let digestContext = EVP_MD_CTX_new() else { throw .openssl("\(operation): EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(digestContext) }
        EVP_MD_CTX_set_pkey_ctx(digestContext, keyContext)
        return try body(digestContext)
    }
}
