import HummingbirdCore
import NIOCore

/// How long a connection may keep the hub waiting. A slow or silent client (slowloris) is closed instead of
/// holding a connection, and its memory, forever. A long poll (`wait=`, at most 30 s) is not affected: once a
/// request has been read, the hub takes the time it needs to answer.
public struct ConnectionLimits: Sendable, Equatable {
    /// From the connection's opening, or the end of the previous answer, until a request's headers are
    /// complete.
    public var headerReadTimeout: Duration
    /// Silence while a request body is being read.
    public var idleTimeout: Duration

    public init(headerReadTimeout: Duration = .seconds(30), idleTimeout: Duration = .seconds(60)) {
        self.headerReadTimeout = headerReadTimeout
        self.idleTimeout = idleTimeout
    }
}

extension ConnectionLimits {
    /// Hummingbird's HTTP/1 settings: its idle timeout, and the guard that times the headers.
    var channelConfiguration: HTTP1Channel.Configuration {
        let headerReadTimeout = headerReadTimeout
        return HTTP1Channel.Configuration(additionalChannelHandlers: [RequestHeadGuard(timeout: headerReadTimeout)],
                                          idleTimeout: RequestHeadGuard.timeAmount(idleTimeout))
    }
}
