import Foundation
import GXCrypto
import Testing

@Suite("Certificate subjects")
struct CertificateSubjectTests {
    /// A self-signed certificate with `subject`, as DER.
    func certificate(_ subject: String) throws -> [UInt8] {
        let scratch = try ScratchDirectory()
        try scratch.opensslSucceeding("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                      "-keyout", "key.pem", "-out", "cert.der", "-outform", "DER", "-days", "1", "-utf8", "-subj", subject)
        return try scratch.read("cert.der")
    }

    @Test("a subject with one CN names it, UTF-8 included")
    func oneCommonName() throws {
        let subject = try CertificateSubject(der: try certificate("/O=北京市/CN=auditor:审计-1"))
        #expect(subject.commonNames == ["auditor:审计-1"])
        #expect(subject.commonName == "auditor:审计-1")
    }

    @Test("a subject with two CNs yields both, and no single common name")
    func twoCommonNames() throws {
        let subject = try CertificateSubject(der: try certificate("/CN=auditor:auditor/CN=agency:11110000000021012L"))
        #expect(subject.commonNames == ["auditor:auditor", "agency:11110000000021012L"])
        #expect(subject.commonName == nil)
    }
}
