import Dispatch
import NIOConcurrencyHelpers

/// One stage of a provider's pass on threads of its own, so reading, preparing and keeping rows use every
/// core. Items go through in chunks; at most `2 × workers` chunks wait, so memory stays bounded whatever
/// the source's size. A stage feeds the next by calling its `add` from `emit`.
///
/// The per-item `transform` may run on several threads at once (chunk `n` goes to worker `n % workers`),
/// so it must be a pure function of the item; results leave in the order the items came, because a worker
/// hands its chunk to `emit` only after chunk `n - 1` was emitted. `emit` runs for one chunk at a time, in
/// order, and owns every piece of mutable state; the caller reads that state only after `finish` (or
/// `abandon`), which waits for the stage.
final class PipelineStage<Item: Sendable, Output>: FinishingStage, @unchecked Sendable {
    static var chunkItems: Int { pipelineChunkItems }
    private let workers: [DispatchQueue]
    private let slots: DispatchSemaphore
    private let group = DispatchGroup()
    /// One per worker, turning a chunk of items into its outputs: a worker's transform may hold objects
    /// of its own, so the workers never share their reference counts (cores contending for one counter
    /// cost more than the work).
    private let transforms: [([Item]) throws -> [Output]]
    private let emit: ([Output]) throws -> Void
    /// The number of the next chunk allowed to emit.
    private let turn = ConditionLock(value: 0)
    private let failure = NIOLockedValueBox<(any Error)?>(nil)
    /// Touched only by the feeding thread.
    private var chunk: [Item] = []
    private var nextChunk = 0

    /// A worker for each of `transforms`, worker `n` running `transforms[n]`.
    convenience init(label: String, transforms: [(Item) throws -> Output], emit: @escaping ([Output]) throws -> Void) {
        self.init(label: label, chunkTransforms: transforms.map { transform in
            { items in
                var outputs: [Output] = []
                outputs.reserveCapacity(items.count)
                for item in items { outputs.append(try transform(item)) }
                return outputs
            }
        }, emit: emit)
    }

    private init(label: String, chunkTransforms: [([Item]) throws -> [Output]], emit: @escaping ([Output]) throws -> Void) {
        precondition(!chunkTransforms.isEmpty, "a stage needs at least one worker")
        self.workers = chunkTransforms.indices.map { DispatchQueue(label: "\(label).\($0)") }
        slots = DispatchSemaphore(value: 2 * chunkTransforms.count)
        self.transforms = chunkTransforms
        self.emit = emit
        chunk.reserveCapacity(Self.chunkItems)
    }

    convenience init(label: String, workers: Int, transform: @escaping (Item) throws -> Output, emit: @escaping ([Output]) throws -> Void) {
        self.init(label: label, transforms: Array(repeating: transform, count: max(1, workers)), emit: emit)
    }

    /// Adds an item; hands a full chunk to the next worker, waiting while every slot is taken. Throws the
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
        let number = nextChunk
        nextChunk += 1
        slots.wait()
        workers[number % workers.count].async(group: group) { [self] in
            defer { slots.signal() }
            let transform = transforms[number % workers.count]
            var outputs: [Output] = []
            if failure.withLockedValue({ $0 == nil }) {
                do {
                    outputs = try transform(items)
                } catch {
                    fail(error)
                }
            }
            // Every chunk takes its turn, even after a failure, so no later chunk waits forever.
            turn.lock(whenValue: number)
            defer { turn.unlock(withValue: number + 1) }
            guard failure.withLockedValue({ $0 == nil }) else { return }
            do {
                try emit(outputs)
            } catch {
                fail(error)
            }
        }
    }

    private func fail(_ error: any Error) {
        failure.withLockedValue { if $0 == nil { $0 = error } }
    }
}

extension PipelineStage where Output == Item {
    /// A stage on one thread doing `work` on each chunk in order. The chunk is handed over as it came, not
    /// copied item by item (each copy of a row is a retain on another core's object).
    convenience init(label: String, work: @escaping ([Item]) throws -> Void) {
        self.init(label: label, chunkTransforms: [{ $0 }], emit: work)
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
