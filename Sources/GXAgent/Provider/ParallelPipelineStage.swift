import Dispatch
import NIOConcurrencyHelpers

/// A pipeline stage whose per-item work runs on several threads at once while its results leave in the
/// order the items came: chunk `n` goes to worker `n % workers`, and a worker hands its chunk's results to
/// `emit` only when chunk `n - 1` has been emitted. So `transform` must be safe to run concurrently (pure
/// functions of the item), and `emit` — which runs for one chunk at a time, in order — owns every piece
/// of mutable state. At most `2 × workers` chunks wait, so memory stays bounded.
final class ParallelPipelineStage<Item: Sendable, Output>: FinishingStage, @unchecked Sendable {
    static var chunkItems: Int { pipelineChunkItems }
    private let workers: [DispatchQueue]
    private let slots: DispatchSemaphore
    private let group = DispatchGroup()
    private let transform: (Item) throws -> Output
    private let emit: ([Output]) throws -> Void
    /// The number of the next chunk allowed to emit.
    private let turn = ConditionLock(value: 0)
    private let failure = NIOLockedValueBox<(any Error)?>(nil)
    /// Touched only by the feeding thread.
    private var chunk: [Item] = []
    private var nextChunk = 0

    init(label: String, workers: Int, transform: @escaping (Item) throws -> Output, emit: @escaping ([Output]) throws -> Void) {
        self.workers = (0..<max(1, workers)).map { DispatchQueue(label: "\(label).\($0)") }
        slots = DispatchSemaphore(value: 2 * max(1, workers))
        self.transform = transform
        self.emit = emit
        chunk.reserveCapacity(Self.chunkItems)
    }

    /// Adds an item; hands a full chunk to the next worker, waiting while every slot is taken. Throws the
    /// stage's first error, so the feeder stops.
    func add(_ item: Item) throws {
        chunk.append(item)
        guard chunk.count >= Self.chunkItems else { return }
        try handOver()
    }

    func finish() throws {
        try handOver()
        group.wait()
        if let failure = failure.withLockedValue({ $0 }) { throw failure }
    }

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
            var outputs: [Output] = []
            if failure.withLockedValue({ $0 == nil }) {
                do {
                    outputs.reserveCapacity(items.count)
                    for item in items { outputs.append(try transform(item)) }
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
