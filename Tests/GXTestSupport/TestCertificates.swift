import Foundation

/// A throwaway certificate authority made with the `openssl` command: a server certificate for the
/// loopback hub (SAN 127.0.0.1 and localhost) and client certificates whose CN names a principal
/// (`agency:<code>`, `admin:<name>`, `auditor:<name>`).
public struct TestCertificates: Sendable {
    public let directory: URL
    public var caFile: String { path("ca.pem") }
    public var serverCertificate: String { path("hub.pem") }
    public var serverKey: String { path("hub.key") }

    /// A new CA and server certificate in a fresh directory; `label` tells several CAs apart. The server's key
    /// is ECDSA P-256, or RSA 2048 with `rsaServer`.
    public static func make(_ label: String = "ca", rsaServer: Bool = false) throws -> TestCertificates {
        let certificates = TestCertificates(directory: try temporaryDirectory("tls-\(label)"))
        try certificates.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                  "-keyout", certificates.path("ca.key"), "-out", certificates.caFile, "-days", "2",
                                  "-subj", "/CN=Gongxiang test CA \(label)"])
        try certificates.issue(name: "hub", subject: "/CN=127.0.0.1", rsa: rsaServer,
                               extensions: "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n")
        return certificates
    }

    /// A client certificate whose subject has these CNs (one, normally); returns the certificate and key files.
    public func client(_ commonNames: String...) throws -> (certificate: String, key: String) {
        let name = "client-" + commonNames.joined(separator: "-").filter { $0.isLetter || $0.isNumber || $0 == "-" }
        try issue(name: name, subject: commonNames.map { "/CN=\($0)" }.joined(),
                  extensions: "extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n")
        return (path("\(name).pem"), path("\(name).key"))
    }

    func issue(name: String, subject: String, rsa: Bool = false, extensions: String) throws {
        try extensions.write(toFile: path("\(name).ext"), atomically: true, encoding: .utf8)
        let key = rsa ? ["-newkey", "rsa:2048"] : ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
        try openssl(["req", "-new"] + key + ["-nodes", "-keyout", path("\(name).key"), "-out", path("\(name).csr"), "-subj", subject])
        try openssl(["x509", "-req", "-in", path("\(name).csr"), "-CA", caFile, "-CAkey", path("ca.key"), "-CAcreateserial",
                     "-out", path("\(name).pem"), "-days", "2", "-extfile", path("\(name).ext")])
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func openssl(_ arguments: [String]) throws {
        let result = try ProcessRunner.runBlocking(ProcessRunner.which("openssl") ?? "/usr/bin/openssl", arguments)
        guard result.status == 0 else { throw CertificateError(description: "openssl \(arguments.joined(separator: " ")): \(result.stderr)") }
    }

    struct CertificateError: Error, CustomStringConvertible { let description: String }
}
