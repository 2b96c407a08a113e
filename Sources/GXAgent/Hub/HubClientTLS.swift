import NIOSSL

/// How a client (an agent, or the admin and auditor commands) checks the hub's certificate and, for a
/// mutual-TLS hub, which certificate it presents. Without a CA file the system's trust store is used.
public struct HubClientTLS: Sendable, Equatable {
    public var caFile: String?
    public var certificateFile: String?
    public var keyFile: String?

    public init(caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
    }

    public var isEmpty: Bool { caFile == nil && certificateFile == nil && keyFile == nil }

    /// The client configuration (TLS 1.2+, hostname verified), or nil when nothing is configured and the
    /// HTTP client's defaults apply.
    public func configuration() throws(AgentError) -> TLSConfiguration? {
        guard !isEmpty else { return nil }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if let caFile {
            let roots = try Self.certificates(caFile, "the CA bundle that issued the hub's certificate")
            configuration.trustRoots = .certificates(roots)
        }
        switch (certificateFile, keyFile) {
        case let (certificate?, key?):
            configuration.certificateChain = try Self.certificates(certificate, "the client certificate").map { .certificate($0) }
            do { configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)) } catch {
                throw AgentError.configuration("\(key): cannot load the client certificate's private key (PEM, unencrypted): \(error)")
            }
        case (nil, nil):
            break
        default:
            throw AgentError.configuration("a client certificate needs both its certificate file and its key file")
        }
        return configuration
    }

    static func certificates(_ file: String, _ what: String) throws(AgentError) -> [NIOSSLCertificate] {
        let certificates: [NIOSSLCertificate]
        do { certificates = try NIOSSLCertificate.fromPEMFile(file) } catch {
            throw AgentError.configuration("\(file): cannot load \(what) (PEM): \(error)")
        }
        guard !certificates.isEmpty else { throw AgentError.configuration("\(file): no certificate in \(what)") }
        return certificates
    }
}
