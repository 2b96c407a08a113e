import COpenSSL

/// One-shot SM3, the checksum of record for batches, agreements and audit entries.
public enum SM3 {
    public static func digest(_ bytes: [UInt8]) -> SM3Digest {
        bytes.withUnsafeBytes { digest($0) }
    }

    /// SM3 of the UTF-8 encoding of `text`.
    public static func digest(_ text: String) -> SM3Digest {
        var text = text
        return text.withUTF8 { digest(UnsafeRawBufferPointer($0)) }
    }

    public static func digest(_ bytes: UnsafeRawBufferPointer) -> SM3Digest {
        let out = [UInt8](unsafeUninitializedCapacity: SM3Digest.byteCount) { buffer, count in
            // EVP_Digest tolerates a NULL pointer for zero bytes, so the empty message needs no special case.
            guard EVP_Digest(bytes.baseAddress, bytes.count, buffer.baseAddress, nil, SM3Algorithm.shared.md, nil) == 1 else {
                fatalError("SM3 digest failed: \(CryptoError.openssl("EVP_Digest"))")
            }
            count = SM3Digest.byteCount
        }
        return SM3Digest(unchecked: out)
    }
}
