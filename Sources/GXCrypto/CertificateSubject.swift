import COpenSSL

/// The subject of an X.509 certificate, as far as the hub needs it: with mutual TLS a client certificate's
/// common name (CN) names the principal, kind and name, as `agency:<code>`, `admin:<name>` or `auditor:<name>`.
public struct CertificateSubject: Sendable, Equatable {
    /// Every CN entry of the subject, in order. A subject with more than one names no single principal, and
    /// which one a library takes (first or last) differs: the hub refuses it rather than choose.
    public let commonNames: [String]

    /// The subject's CN when it has exactly one, nil otherwise.
    public var commonName: String? { commonNames.count == 1 ? commonNames[0] : nil }

    public init(commonNames: [String]) {
        self.commonNames = commonNames
    }

    /// Reads the subject from a DER-encoded certificate (as TLS libraries hand them over).
    public init(der: [UInt8]) throws(CryptoError) {
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_X509(nil, &cursor, buffer.count)
        }
        guard let certificate = parsed else { throw CryptoError.openssl("reading an X.509 certificate (DER)") }
        defer { X509_free(certificate) }
        commonNames = try Self.commonNames(of: certificate)
    }

    private static func commonNames(of certificate: OpaquePointer) throws(CryptoError) -> [String] {
        guard let name = X509_get_subject_name(certificate) else { return [] }
        var names: [String] = []
        var index: Int32 = -1
        while case let next = X509_NAME_get_index_by_NID(name, NID_commonName, index), next >= 0 {
            index = next
            guard let entry = X509_NAME_get_entry(name, next), let data = X509_NAME_ENTRY_get_data(entry) else {
                throw CryptoError.openssl("reading a certificate subject's CN")
            }
            var utf8: UnsafeMutablePointer<UInt8>?
            let length = ASN1_STRING_to_UTF8(&utf8, data)
            guard length >= 0, let utf8 else { throw CryptoError.openssl("reading a certificate subject's CN as UTF-8") }
            defer { gx_OPENSSL_free(utf8) }
            names.append(String(decoding: UnsafeBufferPointer(start: utf8, count: Int(length)), as: UTF8.self))
        }
        return names
    }
}
