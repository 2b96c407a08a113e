import Dispatch
import NIOConcurrencyHelpers

/// One stage of a provider's pass on its own thread, so reading, preparing and keeping rows run on separate
/// cores. Items go through in order, in chunks; at most two chunks wait, so memory stays bounded whatever the
/// source's size. A stage feeds the next by calling its `add` from `work`.
///
/// `work` runs on the stage's serial queue only, and `finish` waits for it, so the state it captures needs
/// no lock as long as the caller reads it only after `finish` (or `abandon`).
final class PipelineStage<Item: Sendable>: FinishingStage, @unchecked Sendable {
    static var chunkItems: Int { pipelineChunkItems }
    private let queue: DispatchQueue
    private let slots = DispatchSemaphore(value: 2)
    private let group = DispatchGroup()
    private let work: ([Item]) throws -> Void
    /// The stage's first error; read by the feeding thread without waiting for the queue.
    private let failure = NIOLockedValueBox<(any Error)?>(nil)
    /// Items not yet handed over; touched only by the feeding thread.
    private var chunk: [Item] = []

    init(label: String, work: @escaping ([Item]) throws -> Void) {
        queue = DispatchQueue(label: label)
        self.work = work
        chunk.reserveCapacity(Self.chunkItems)
    }

    /// Adds an item; hands a full chunk to the stage, waiting while two are already queued. Throws the
    /// stage's first error, so the feeder stops.
    func add(_ item: Item) throws {
        chunk.append(item)
        guard chunk.count >= Self.chunkItems else { return }
        try handOver()
    }

    /// Hands over what is left, waits until the stage has done everything, and throws its first error.
    func finish() throws {
        try handOver()
        group.wait()
        if let failure = failure.withLockedValue({ $0 }) { throw failure }
    }

    /// After the feeder failed: drops what is queued and waits until the stage is idle, so nothing it
    /// owns is touched after the pass has ended.
    func abandon() {
        failure.withLockedValue { if $0 == nil { $0 = CancellationError() } }
        group.wait()
    }

    private func handOver() throws {
        if let failure = failure.withLockedValue({ $0 }) { throw failure }
        guard !chunk.isEmpty else { return }
        let items = chunk
        chunk.removeAll(keepingCapacity: true)
        slots.wait()
        queue.async(group: group) { [self] in
            defer { slots.signal() }
            guard failure.withLockedValue({ $0 == nil }) else { return }
            do {
                try work(items)
            } catch {
                failure.withLockedValue { if $0 == nil { $0 = error } }
            }
        }
    }
}

/// A stage as the pass ends it, whatever its items.
protocol FinishingStage {
    func finish() throws
    func abandon()
}

/// Rows per chunk handed between a pass's threads. Small on purpose: with 2 048 the rows of the chunks in
/// flight, allocated on one thread and freed on another, left glibc's arenas fragmented (285 MB resident
/// on a 4 M-row pass); with 512 it stays near 110 MB, for about the same speed.
let pipelineChunkItems = 512
