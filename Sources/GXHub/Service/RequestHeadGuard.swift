import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Sits after HTTP decoding on every connection: closes it when a request's headers do not arrive within
/// the header-read timeout, and answers a request the HTTP parser refused (headers too large, malformed)
/// with a JSON error, as every other refusal is, before closing.
final class RequestHeadGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let timeout: TimeAmount
    private var deadline: Scheduled<Void>?
    /// Requests whose head was read and whose answer has not ended yet.
    private var inFlight = 0

    init(timeout: Duration) {
        self.timeout = Self.timeAmount(timeout)
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { startClock(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) { stopClock() }

    func channelActive(context: ChannelHandlerContext) {
        startClock(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stopClock()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            inFlight += 1
            stopClock()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            inFlight = max(0, inFlight - 1)
            if inFlight == 0 { startClock(context) }
        }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Mid-answer the connection is simply closed; otherwise the refusal is answered in JSON.
        guard let parseError = error as? HTTPParserError, inFlight == 0 else {
            context.fireErrorCaught(error)
            return
        }
        stopClock()
        let tooLarge = parseError == .headerOverflow
        let body = try? JSONSerialization.data(withJSONObject: [
            "error": tooLarge ? "the request headers are too large" : "the request is not well-formed HTTP/1.1",
        ], options: [.sortedKeys])
        var buffer = context.channel.allocator.buffer(capacity: body?.count ?? 0)
        buffer.writeBytes(body ?? Data())
        let head = HTTPResponse(status: tooLarge ? .requestHeaderFieldsTooLarge : .badRequest,
                                headerFields: [.contentType: "application/json; charset=utf-8", .contentLength: String(buffer.readableBytes),
                                               .connection: "close"])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(buffer)), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }

    private func startClock(_ context: ChannelHandlerContext) {
        guard deadline == nil else { return }
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }

    private func stopClock() {
        deadline?.cancel()
        deadline = nil
    }
}
