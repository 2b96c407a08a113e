import HummingbirdCore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import ServiceLifecycle
import UnixSignals

/// The hub's current TLS context. SIGHUP replaces it from the files: new connections get the renewed
/// certificate (or client CA), open ones finish with theirs, and nothing restarts.
final class TLSContextHolder: Sendable {
    let tls: HubTLS
    private let context: NIOLockedValueBox<NIOSSLContext>

    init(_ tls: HubTLS) throws {
        self.tls = tls
        context = NIOLockedValueBox(try NIOSSLContext(configuration: try tls.serverConfiguration()))
    }

    var current: NIOSSLContext { context.withLockedValue { $0 } }

    /// Reads the files again; on any error the running context stays and the error is thrown.
    func reload() throws {
        let fresh = try NIOSSLContext(configuration: try tls.serverConfiguration())
        context.withLockedValue { $0 = fresh }
    }
}

/// HTTP/1 over TLS with the holder's context at the time each connection is accepted.
struct ReloadableTLSChannel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value
    let base: HTTP1Channel
    let contexts: TLSContextHolder

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let context = contexts.current
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    static func reloadableTLS(_ contexts: TLSContextHolder, configuration: HTTP1Channel.Configuration = .init()) -> HTTPServerBuilder {
        .init { responder in ReloadableTLSChannel(base: HTTP1Channel(responder: responder, configuration: configuration), contexts: contexts) }
    }
}

/// Reloads the TLS files on SIGHUP (`systemctl reload gongxiang-hub`) until the hub shuts down.
struct TLSReloadService: Service {
    let contexts: TLSContextHolder
    let logger: Logger

    func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            do {
                try contexts.reload()
                logger.notice("SIGHUP: reloaded the TLS certificate \(contexts.tls.certificateFile) and key; new connections use them")
            } catch {
                logger.error("SIGHUP: kept the running TLS certificate; \(error)")
            }
        }
    }
}
