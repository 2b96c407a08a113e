import Dispatch
import Foundation
import GXCrypto
import GXDomain

/// Encodes a verification's request or answer and writes it on a thread of its own: deflate, SM3 over the
/// lines and over the wire, SM4 and HMAC-SM3 of the sealed file, and the copy kept for the upload take
/// another core while the caller merges records. The caller hands over blocks of canonical lines; at most
/// `depth` blocks wait, so memory stays bounded. The file, digests and counts are those the caller would get
/// from a ``BatchPayloadEncoder`` and a ``PayloadFileWriter`` of its own.
final class PayloadWriteBehind {
    /// What the encoding thread and the caller share.
    private final class Channel: @unchecked Sendable {
        let condition = NSCondition()
        var blocks: [(lines: [UInt8], upserts: Int64)] = []
        var closed = false
        var failure: (any Error)?
    }

    /// What the thread made, read once it is done.
    private final class Product: @unchecked Sendable {
        var copy = PayloadCopy()
        var digests: (records: PayloadDigest, wire: PayloadDigest)?
    }

    let path: String
    private let channel = Channel()
    private let product = Product()
    private let output: PayloadFileWriter
    private let finished = DispatchSemaphore(value: 0)
    private var block: [UInt8] = []
    private var upserts: Int64 = 0
    private var ended = false
    private let depth: Int
    private static let blockSize = 256 * 1024

    /// Creates the file (sealed under `key` when given; refused if it exists) and starts the thread.
    init(path: String, sealingWith key: DataKey?, depth: Int = 4) throws(CryptoError) {
        self.path = path
        self.depth = max(1, depth)
        let output = try PayloadFileWriter(path: path, sealingWith: key)
        self.output = output
        let encoder: BatchPayloadEncoder
        do { encoder = try BatchPayloadEncoder() } catch {
            output.abandon()
            throw .fileUnreadable(path: path, reason: "cannot start deflate: \(error)")
        }
        block.reserveCapacity(Self.blockSize + 4096)
        let channel = self.channel, product = self.product, finished = self.finished
        nonisolated(unsafe) let unsafeOutput = output
        nonisolated(unsafe) let unsafeEncoder = encoder
        DispatchQueue(label: "gongxiang.write-behind").async {
            defer { finished.signal() }
            let output = unsafeOutput, encoder = unsafeEncoder
            func write(_ wire: [UInt8]) throws {
                try output.write(wire)
                product.copy.append(wire)
            }
            do {
                while true {
                    channel.condition.lock()
                    while channel.blocks.isEmpty, !channel.closed { channel.condition.wait() }
                    if channel.blocks.isEmpty {
                        // Closed: by `finish`, or by `abandon`, which leaves the file unfinished to delete it.
                        let abandoned = channel.failure != nil
                        channel.condition.unlock()
                        if abandoned { return }
                        break
                    }
                    let next = channel.blocks.removeFirst()
                    channel.condition.broadcast()
                    channel.condition.unlock()
                    try encoder.append(encodedLines: next.lines, upserts: next.upserts, deletes: 0)
                    if encoder.pendingWireBytes >= Self.blockSize { try write(encoder.takeWire()) }
                }
                try encoder.finish()
                try write(encoder.takeWire())
                try output.finish()
                product.digests = encoder.digests()
            } catch {
                channel.condition.lock()
                channel.failure = error
                channel.blocks = []
                channel.condition.broadcast()
                channel.condition.unlock()
            }
        }
    }

    deinit { abandon() }

    /// Appends one upsert's canonical line (with its `"\n"`).
    func append(line: some Collection<UInt8>) throws {
        block.append(contentsOf: line)
        upserts += 1
        if block.count >= Self.blockSize { try handOver() }
    }

    /// Writes what is left, waits for the thread, and returns the payload's digests and the copy kept for the
    /// upload (nil when it outgrew its limit). Throws the thread's first error.
    func finish() throws -> (records: PayloadDigest, wire: PayloadDigest, copy: [UInt8]?) {
        do {
            try handOver()
        } catch {
            abandon()
            throw error
        }
        close()
        guard channel.failure == nil, let digests = product.digests else {
            output.abandon()
            throw channel.failure ?? AgentError.localData("\(path) was not written to its end")
        }
        return (digests.records, digests.wire, product.copy.bytes)
    }

    /// Stops the thread and deletes the file, unless `finish` completed it.
    func abandon() {
        guard !ended else { return }
        channel.condition.lock()
        channel.blocks = []
        channel.failure = channel.failure ?? CancellationError()
        channel.condition.broadcast()
        channel.condition.unlock()
        close()
        output.abandon()
    }

    private func handOver() throws {
        channel.condition.lock()
        defer { channel.condition.unlock() }
        if let failure = channel.failure { throw failure }
        guard !block.isEmpty else { return }
        while channel.blocks.count >= depth, channel.failure == nil { channel.condition.wait() }
        if let failure = channel.failure { throw failure }
        channel.blocks.append((block, upserts))
        channel.condition.broadcast()
        block.removeAll(keepingCapacity: true)
        upserts = 0
    }

    private func close() {
        guard !ended else { return }
        ended = true
        channel.condition.lock()
        channel.closed = true
        channel.condition.broadcast()
        channel.condition.unlock()
        finished.wait()
    }
}
