import Dispatch
import Foundation
import GXCrypto
import GXDomain

/// Encodes a verification's request or answer and writes it behind the caller, in three parts that run at
/// once: the caller digests the lines it hands over (SM3), one thread deflates them and digests the wire,
/// another seals and writes the file (SM4, HMAC-SM3) and keeps the copy for the upload. Each part waits for
/// at most `depth` blocks from the one before, so memory stays bounded. The file, digests and counts are
/// those the caller would get from a ``BatchPayloadEncoder`` and a ``PayloadFileWriter`` of its own.
final class PayloadWriteBehind {
    /// A bounded queue of blocks from one part to the next. A failure anywhere fails every queue, so each
    /// part stops at its next step.
    private final class Channel<Block>: @unchecked Sendable {
        private let condition = NSCondition()
        private var blocks: [Block] = []
        private var closed = false
        private(set) var failure: (any Error)?
        private let depth: Int

        init(depth: Int) { self.depth = depth }

        /// Waits while the queue is full; throws the failure that stopped it.
        func put(_ block: Block) throws {
            condition.lock()
            defer { condition.unlock() }
            while blocks.count >= depth, failure == nil { condition.wait() }
            if let failure { throw failure }
            blocks.append(block)
            condition.broadcast()
        }

        /// The next block; nil once closed and empty, or failed.
        func take() -> Block? {
            condition.lock()
            defer { condition.unlock() }
            while blocks.isEmpty, !closed, failure == nil { condition.wait() }
            guard failure == nil, !blocks.isEmpty else { return nil }
            condition.broadcast()
            return blocks.removeFirst()
        }

        func close() {
            condition.lock()
            closed = true
            condition.broadcast()
            condition.unlock()
        }

        func fail(_ error: any Error) {
            condition.lock()
            if failure == nil { failure = error }
            blocks = []
            condition.broadcast()
            condition.unlock()
        }
    }

    /// What the threads made, read once both are done.
    private final class Product: @unchecked Sendable {
        var copy = PayloadCopy()
        var wire: PayloadDigest?
        var written = false
    }

    let path: String
    private let lines: Channel<(lines: [UInt8], upserts: Int64)>
    private let wire: Channel<[UInt8]>
    private let product = Product()
    private let output: PayloadFileWriter
    private let finished = DispatchGroup()
    private var block: [UInt8] = []
    private var upserts: Int64 = 0
    private var recordsHasher = SM3Hasher()
    private var recordBytes: Int64 = 0
    private var ended = false
    private static let blockSize = 256 * 1024

    /// Creates the file (sealed under `key` when given; refused if it exists) and starts the threads.
    init(path: String, sealingWith key: DataKey?, depth: Int = 4) throws(CryptoError) {
        self.path = path
        lines = Channel(depth: max(1, depth))
        wire = Channel(depth: max(1, depth))
        let output = try PayloadFileWriter(path: path, sealingWith: key)
        self.output = output
        let encoder: BatchPayloadEncoder
        do { encoder = try BatchPayloadEncoder(digestingRecords: false) } catch {
            output.abandon()
            throw .fileUnreadable(path: path, reason: "cannot start deflate: \(error)")
        }
        block.reserveCapacity(Self.blockSize + 4096)
        let lines = self.lines, wire = self.wire, product = self.product
        @Sendable func failAll(_ error: any Error) {
            lines.fail(error)
            wire.fail(error)
        }
        nonisolated(unsafe) let unsafeEncoder = encoder
        DispatchQueue(label: "gongxiang.write-behind.deflate").async(group: finished) {
            let encoder = unsafeEncoder
            do {
                while let next = lines.take() {
                    try encoder.append(encodedLines: next.lines, upserts: next.upserts, deletes: 0)
                    if encoder.pendingWireBytes >= Self.blockSize { try wire.put(encoder.takeWire()) }
                }
                // Closed by `finish`, or failed (by `abandon` or a part): only a close ends the stream.
                if let failure = lines.failure { throw failure }
                try encoder.finish()
                try wire.put(encoder.takeWire())
                product.wire = encoder.digests().wire
                wire.close()
            } catch {
                failAll(error)
            }
        }
        nonisolated(unsafe) let unsafeOutput = output
        DispatchQueue(label: "gongxiang.write-behind.seal").async(group: finished) {
            let output = unsafeOutput
            do {
                while let next = wire.take() {
                    try output.write(next)
                    product.copy.append(next)
                }
                if let failure = wire.failure { throw failure }
                try output.finish()
                product.written = true
            } catch {
                failAll(error)
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

    /// Writes what is left, waits for the threads, and returns the payload's digests and the copy kept for
    /// the upload (nil when it outgrew its limit). Throws the threads' first error.
    func finish() throws -> (records: PayloadDigest, wire: PayloadDigest, copy: [UInt8]?) {
        do {
            try handOver()
        } catch {
            abandon()
            throw error
        }
        lines.close()
        ended = true
        finished.wait()
        guard lines.failure == nil, product.written, let wireDigest = product.wire else {
            output.abandon()
            throw lines.failure ?? AgentError.localData("\(path) was not written to its end")
        }
        var records = recordsHasher
        return (PayloadDigest(sm3: records.finalize().hex, bytes: recordBytes), wireDigest, product.copy.bytes)
    }

    /// Stops the threads and deletes the file, unless `finish` completed it.
    func abandon() {
        guard !ended else { return }
        ended = true
        lines.fail(CancellationError())
        wire.fail(CancellationError())
        finished.wait()
        output.abandon()
    }

    /// Digests the block here, on the caller's core, and hands it to the deflating thread.
    private func handOver() throws {
        if let failure = lines.failure { throw failure }
        guard !block.isEmpty else { return }
        recordsHasher.update(block)
        recordBytes += Int64(block.count)
        try lines.put((block, upserts))
        block.removeAll(keepingCapacity: true)
        upserts = 0
    }
}
