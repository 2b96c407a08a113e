import GXCrypto
import NIOSSL

extension HubRequestContext {
    /// The subject of the certificate the client presented on this connection (already verified against the
    /// client CA by the TLS layer); nil on a plain connection or when the client presented none.
    public func clientCertificateSubject() async throws -> CertificateSubject? {
        let channel = self.channel
        let der = try await channel.eventLoop.submit { () -> [UInt8]? in
            guard let handler = try? channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self) else { return nil }
            return try handler.peerCertificate?.toDERBytes()
        }.get()
        return try der.map { try CertificateSubject(der: $0) }
    }
}
