import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension Hub {
    /// The address a request came from, as sign-in throttling and the audit log record it. Behind a load
    /// balancer every connection comes from the balancer, so for a peer listed in `trustedProxies` the last
    /// address of `X-Forwarded-For` is taken instead: the one that balancer appended, the peer it saw.
    /// Earlier entries are whatever the client sent and are never believed; nor is the header from any other
    /// peer, or an entry that is not an IP address.
    public func clientAddress(of request: Request, context: HubRequestContext) -> String {
        let peer = context.remoteAddress?.ipAddress ?? "unknown"
        guard trustedProxies.contains(peer) else { return peer }
        let forwarded = request.headers[values: Self.forwardedFor].joined(separator: ",")
        guard let last = forwarded.split(separator: ",").last?.trimmingCharacters(in: .whitespaces),
              Self.isIPAddress(last) else { return peer }
        return last
    }

    public static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

    /// An IPv4 or IPv6 address literal (no port, no name), as a trusted proxy writes it.
    public static func isIPAddress(_ text: String) -> Bool {
        text.utf8.count <= 64 && (try? SocketAddress(ipAddress: text, port: 0)) != nil
    }
}
