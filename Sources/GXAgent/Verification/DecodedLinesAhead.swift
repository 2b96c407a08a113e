import Dispatch
import Foundation
import GXCrypto
import GXDomain

/// Decodes a downloaded payload on a thread of its own — opened, inflated, digested (SM3) and each line
/// checked — and hands its lines over in blocks: the consumer's database applies one block of an answer, or
/// the provider merges one block of a request, while the next is decoded. Blocks and errors arrive in the
/// payload's order; at most `depth` blocks wait.
final class DecodedLinesAhead {
    /// What the decoding thread and the reader share.
    private final class Channel: @unchecked Sendable {
        let condition = NSCondition()
        var ready: [CanonicalRecordLines] = []
        var failure: (any Error)?
        var digests: (records: PayloadDigest, wire: PayloadDigest)?
        var ended = false
        var stopped = false
    }

    private let channel = Channel()
    private let finished = DispatchSemaphore(value: 0)
    private var closed = false

    /// Starts decoding at once; what opening or decoding throws comes from `next` once the blocks before it
    /// were handed out.
    init(_ payload: DownloadedPayload, keyring: DataKeyring?, valueCount: Int, maximumRecordBytes: Int, blockLines: Int = 4096, depth: Int = 4) {
        let channel = self.channel, finished = self.finished
        DispatchQueue(label: "gongxiang.decode-ahead").async {
            defer { finished.signal() }
            /// Hands a block over, waiting while `depth` wait; false once the reader stopped.
            func handOver(_ block: CanonicalRecordLines) -> Bool {
                channel.condition.lock()
                defer { channel.condition.unlock() }
                while channel.ready.count >= depth, !channel.stopped { channel.condition.wait() }
                guard !channel.stopped else { return false }
                channel.ready.append(block)
                channel.condition.broadcast()
                return true
            }
            do {
                let input = try DeliveryPayloadInput(payload, keyring: keyring)
                defer { input.close() }
                let decoder = try BatchPayloadDecoder(valueCount: valueCount, maximumRecordBytes: maximumRecordBytes)
                var block = CanonicalRecordLines(valueCount: valueCount)
                while case let chunk = try input.read(upTo: 256 * 1024), !chunk.isEmpty {
                    try chunk.withUnsafeBytes { raw in
                        try decoder.consumeLines(raw) { line, _ in
                            block.append(line)
                            if block.count >= blockLines {
                                guard handOver(block) else { throw CancellationError() }
                                block = CanonicalRecordLines(valueCount: valueCount, reservingBytes: block.byteCount)
                            }
                        }
                    }
                }
                let digests = try decoder.finish()
                if block.count > 0 { guard handOver(block) else { return } }
                channel.condition.lock()
                channel.digests = digests
                channel.ended = true
                channel.condition.broadcast()
                channel.condition.unlock()
            } catch {
                channel.condition.lock()
                channel.failure = error
                channel.condition.broadcast()
                channel.condition.unlock()
            }
        }
    }

    deinit { close() }

    /// The next block of checked lines, or nil after the last.
    func next() throws -> CanonicalRecordLines? {
        channel.condition.lock()
        defer { channel.condition.unlock() }
        while channel.ready.isEmpty, !channel.ended, channel.failure == nil { channel.condition.wait() }
        if !channel.ready.isEmpty {
            channel.condition.broadcast()
            return channel.ready.removeFirst()
        }
        if let failure = channel.failure { throw failure }
        return nil
    }

    /// The payload's digests, once `next` returned nil.
    func digests() -> (records: PayloadDigest, wire: PayloadDigest)? {
        channel.condition.lock()
        defer { channel.condition.unlock() }
        return channel.digests
    }

    /// Stops decoding and waits until the thread has let go of the payload.
    func close() {
        guard !closed else { return }
        closed = true
        channel.condition.lock()
        channel.stopped = true
        channel.condition.broadcast()
        channel.condition.unlock()
        finished.wait()
    }
}
