import Foundation
import HTTPTypes
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTPTypes

/// Counts the hub's open connections and turns away one beyond the limit with a 503 in JSON, before it can
/// hold a file descriptor and memory for the header-read timeout. Without it a few thousand silent clients
/// (each closed only after 30 s) could use up the process's descriptors and stop every agency's night.
final class ConnectionGate: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    /// The count shared by every connection of one listener.
    final class Count: Sendable {
        let limit: Int
        private let open = NIOLockedValueBox(0)

        init(limit: Int) { self.limit = limit }

        /// Takes a place if one is free.
        func enter() -> Bool {
            open.withLockedValue { open in
                guard open < limit else { return false }
                open += 1
                return true
            }
        }

        func leave() { open.withLockedValue { $0 -= 1 } }

        var current: Int { open.withLockedValue { $0 } }
    }

    private let count: Count
    private var admitted = false
    private var refused = false

    init(count: Count) { self.count = count }

    func channelActive(context: ChannelHandlerContext) {
        admit(context)
        context.fireChannelActive()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { admit(context) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        release()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { release() }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard refused else { return context.fireChannelRead(data) }
        // The refused connection's request is answered by the 503 already sent; nothing reaches the router.
    }

    private func admit(_ context: ChannelHandlerContext) {
        guard !admitted, !refused else { return }
        if count.enter() {
            admitted = true
            return
        }
        refused = true
        let body = try? JSONSerialization.data(withJSONObject: [
            "error": "the hub is serving its limit of \(count.limit) connections; try again shortly",
        ], options: [.sortedKeys])
        var buffer = context.channel.allocator.buffer(capacity: body?.count ?? 0)
        buffer.writeBytes(body ?? Data())
        let head = HTTPResponse(status: .serviceUnavailable,
                                headerFields: [.contentType: "application/json; charset=utf-8", .contentLength: String(buffer.readableBytes),
                                               .connection: "close", .retryAfter: "5"])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(buffer)), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }

    private func release() {
        if admitted {
            admitted = false
            count.leave()
        }
    }
}
