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
    /// Open connections at once; one more is answered 503 and closed. Keep it below the process's
    /// descriptor limit (`LimitNOFILE`), which the batch files and the database share.
    public var maximumConnections: Int

    public init(headerReadTimeout: Duration = .seconds(30), idleTimeout: Duration = .seconds(60), maximumConnections: Int = 2048) {
        self.headerReadTimeout = headerReadTimeout
        self.idleTimeout = idleTimeout
        self.maximumConnections = maximumConnections
    }
}

extension ConnectionLimits {
    /// Hummingbird's HTTP/1 settings: its idle timeout, the gate that counts connections (one count per
    /// listener) and the guard that times the headers.
    var channelConfiguration: HTTP1Channel.Configuration {
        let headerReadTimeout = headerReadTimeout
        let count = ConnectionGate.Count(limit: maximumConnections)
        return HTTP1Channel.Configuration(additionalChannelHandlers: [ConnectionGate(count: count), RequestHeadGuard(timeout: headerReadTimeout)],
                                          idleTimeout: RequestHeadGuard.timeAmount(idleTimeout))
    }
}
