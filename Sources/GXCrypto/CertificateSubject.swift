import COpenSSL

/// The subject of an X.509 certificate, as far as the hub needs it: with mutual TLS a client certificate's
/// common name (CN) names the agency (its unified social credit code) or the admin or auditor.
public struct CertificateSubject: Sendable, Equatable {
    public let commonName: String?

    /// Reads the subject from a DER-encoded certificate (as TLS libraries hand them over).
    public init(der: [UInt8]) throws(CryptoError) {
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_X509(nil, &cursor, buffer.count)
        }
        guard let certificate = parsed else { throw CryptoError.openssl("reading an X.509 certificate (DER)") }
        defer { X509_free(certificate) }
        commonName = Self.commonName(of: certificate)
    }

    /// The last (most specific) CN entry, as OpenSSL's own verifiers take it.
    private static func commonName(of certificate: OpaquePointer) -> String? {
        guard let name = X509_get_subject_name(certificate) else { return nil }
        var index: Int32 = -1
        var last: Int32 = -1
        while case let next = X509_NAME_get_index_by_NID(name, NID_commonName, index), next >= 0 {
            last = next
            index = next
        }
        guard last >= 0, let entry = X509_NAME_get_entry(name, last), let data = X509_NAME_ENTRY_get_data(entry) else { return nil }
        var utf8: UnsafeMutablePointer<UInt8>?
        let length = ASN1_STRING_to_UTF8(&utf8, data)
        guard length >= 0, let utf8 else { return nil }
        defer { gx_OPENSSL_free(utf8) }
        return String(decoding: UnsafeBufferPointer(start: utf8, count: Int(length)), as: UTF8.self)
    }
}
