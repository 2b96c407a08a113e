import Foundation
import NIOSSL

/// The hub's TLS material, read from PEM files at start-up and again on SIGHUP (`TLSReloadService`).
///
/// With `clientCA` set the hub asks every client for a certificate issued by that CA (mutual TLS): a
/// presented certificate must verify, and every authenticated request must carry one whose one subject CN
/// names the principal of its bearer credential, kind and name (`agency:<code>`). The health probes stay
/// reachable without one.
public struct HubTLS: Sendable {
    public var certificateFile: String
    public var keyFile: String
    public var clientCAFile: String?

    public init(certificateFile: String, keyFile: String, clientCAFile: String? = nil) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.clientCAFile = clientCAFile
    }

    public var requiresClientCertificates: Bool { clientCAFile != nil }

    /// The TLS 1.2 suites the hub accepts: ECDHE key exchange (forward secrecy) with an AEAD cipher, for ECDSA
    /// or RSA certificates. No static-RSA key exchange, no CBC, no SHA-1 MACs. TLS 1.3's suites are all AEAD
    /// with ephemeral keys and are always on.
    public static let cipherSuites = [
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
    ].joined(separator: ":")

    /// The server configuration: TLS 1.2 (with `cipherSuites` only) or 1.3, the chain and key from the files,
    /// client certificates verified against `clientCA` when present.
    public func serverConfiguration() throws(HubTLSError) -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMFile(certificateFile) } catch {
            throw HubTLSError(file: certificateFile, what: "the hub's certificate chain (PEM)", underlying: "\(error)")
        }
        guard !chain.isEmpty else { throw HubTLSError(file: certificateFile, what: "the hub's certificate chain (PEM)", underlying: "no certificate in the file") }
        let key: NIOSSLPrivateKey
        do { key = try NIOSSLPrivateKey(file: keyFile, format: .pem) } catch {
            throw HubTLSError(file: keyFile, what: "the hub's TLS private key (PEM, unencrypted)", underlying: "\(error)")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.cipherSuites = Self.cipherSuites
        if let clientCAFile {
            let roots: [NIOSSLCertificate]
            do { roots = try NIOSSLCertificate.fromPEMFile(clientCAFile) } catch {
                throw HubTLSError(file: clientCAFile, what: "the client CA bundle (PEM)", underlying: "\(error)")
            }
            guard !roots.isEmpty else { throw HubTLSError(file: clientCAFile, what: "the client CA bundle (PEM)", underlying: "no certificate in the file") }
            configuration.trustRoots = .certificates(roots)
            configuration.certificateVerification = .optionalVerification
            configuration.sendCANameList = true
        }
        return configuration
    }
}

/// A TLS file the hub cannot use, named with what it should have held.
public struct HubTLSError: Error, CustomStringConvertible {
    public let file: String
    public let what: String
    public let underlying: String
    public var description: String { "\(file): cannot load \(what): \(underlying)" }
}
