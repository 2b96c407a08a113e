import GXDomain
import Hummingbird
import NIOCore

/// Per-request state: who is calling, once the credential has been checked.
public struct HubRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var principal: Principal?
    /// The connection, for the client certificate a mutual-TLS hub checks.
    let channel: any Channel

    public init(source: Source) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// The client's address, for slowing repeated failed sign-ins from it.
    public var remoteAddress: SocketAddress? { channel.remoteAddress }

    /// API bodies are small JSON documents; anything larger is refused before it is read.
    public var maxUploadSize: Int { 1 << 20 }
}
