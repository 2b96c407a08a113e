import COpenSSL

extension EVPKey {
    /// Longest PEM accepted: an SM2 key is under 300 bytes, and keys arrive from API callers.
    static let maximumPEMLength = 64 * 1024

    /// Reads an unencrypted PKCS#8 private key; the key must be SM2.
    static func readPrivateKey(pem text: String) throws(CryptoError) -> EVPKey {
        try read(pem: text, expected: "PRIVATE KEY") { bio in
            // Never NULL for the callback: OpenSSL would then prompt on the terminal for a passphrase.
            PEM_read_bio_PrivateKey(bio, nil, gx_pem_no_passphrase, nil)
        }
    }

    /// Reads a SubjectPublicKeyInfo public key; the key must be SM2.
    static func readPublicKey(pem text: String) throws(CryptoError) -> EVPKey {
        try read(pem: text, expected: "PUBLIC KEY") { bio in
            PEM_read_bio_PUBKEY(bio, nil, gx_pem_no_passphrase, nil)
        }
    }

    /// Unencrypted PKCS#8 (`BEGIN PRIVATE KEY`), the form `openssl genpkey` writes.
    func privateKeyPEM() throws(CryptoError) -> String {
        try Self.writePEM("PEM_write_bio_PrivateKey") { bio in
            PEM_write_bio_PrivateKey(bio, pointer, nil, nil, 0, nil, nil)
        }
    }

    /// SubjectPublicKeyInfo (`BEGIN PUBLIC KEY`).
    func publicKeyPEM() throws(CryptoError) -> String {
        try Self.writePEM("PEM_write_bio_PUBKEY") { bio in
            PEM_write_bio_PUBKEY(bio, pointer)
        }
    }

    private static func read(pem text: String, expected: String,
                             _ parse: (OpaquePointer) -> OpaquePointer?) throws(CryptoError) -> EVPKey {
        let bytes = Array(text.utf8)
        guard bytes.count <= maximumPEMLength else {
            throw .invalidKey(reason: "the PEM text is \(bytes.count) bytes; an SM2 key in PEM is under 1 KiB")
        }
        let parsed: OpaquePointer? = bytes.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return nil }
            defer { BIO_free(bio) }
            return parse(bio)
        }
        guard let parsed else {
            let detail = CryptoError.drainOpenSSLErrors()
            throw .invalidKey(reason: unreadableReason(labels: PEMLabels(text).labels, expected: expected, detail: detail))
        }
        let key = EVPKey(taking: parsed)
        guard key.isSM2 else { throw .notSM2Key }
        return key
    }

    /// Explains a PEM OpenSSL could not read in terms of what the caller passed and should pass instead.
    private static func unreadableReason(labels: [String], expected: String, detail: String?) -> String {
        let want = "expected an unencrypted '-----BEGIN \(expected)-----' block"
        if labels.isEmpty {
            return "no PEM block found; \(want)"
        }
        if labels.contains("ENCRYPTED PRIVATE KEY") {
            return "the private key is passphrase-protected; decrypt it first (openssl pkey -in KEY -out PLAIN.pem) and keep the result mode 0600"
        }
        if expected == "PRIVATE KEY", labels.contains("PUBLIC KEY") {
            return "this is a public key; pass the private key ('-----BEGIN PRIVATE KEY-----')"
        }
        if expected == "PUBLIC KEY", labels.contains(where: { $0.hasSuffix("PRIVATE KEY") }) {
            return "this is a private key; pass only its public half (openssl pkey -in KEY -pubout)"
        }
        if expected == "PUBLIC KEY", labels.contains("CERTIFICATE") {
            return "this is a certificate; pass its public key (openssl x509 -in CERT -pubkey -noout)"
        }
        let found = labels.map { "'\($0)'" }.joined(separator: ", ")
        return "found PEM \(found) but OpenSSL could not read a key (\(detail ?? "no detail")); \(want)"
    }

    private static func writePEM(_ operation: String, _ write: (OpaquePointer) -> Int32) throws(CryptoError) -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw .openssl("\(operation): BIO_new") }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { throw .openssl(operation) }
        var data: UnsafeMutablePointer<CChar>?
        let length = gx_BIO_get_mem_data(bio, &data)
        guard let data, length > 0 else { throw .openssl("\(operation): no output") }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    }
}
