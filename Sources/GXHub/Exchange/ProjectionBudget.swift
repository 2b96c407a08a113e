import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// How many delivery projections the hub writes at once, across every push and every first pull. Each holds
/// about 0.4 MB while it is written (igzip's state and level buffer, small line and output buffers), so this — not the number
/// of consumers or of concurrent pushes — bounds the memory projections take. Slots are handed out first come,
/// first served; a push asks for all of its consumers' at once and waits until they are free.
///
/// When the last slot is given back, freed memory is handed back to the system (`malloc_trim`): glibc would
/// otherwise keep the peak of a busy night for good.
public final class ProjectionBudget: Sendable {
    public let capacity: Int
    let trimsMemory: Bool
    private let state = Mutex(State())

    private struct State {
        var inUse = 0
        var queue: [(id: UInt64, count: Int, waiter: CheckedContinuation<Int, Never>)] = []
        var nextID: UInt64 = 0
        var peak = 0
    }

    /// `GX_HUB_MALLOC_TRIM=0` turns the trimming off, to measure what it gives back.
    public init(capacity: Int, trimsMemory: Bool = ProcessInfo.processInfo.environment["GX_HUB_MALLOC_TRIM"] != "0") {
        self.capacity = max(capacity, 1)
        self.trimsMemory = trimsMemory
    }

    /// Waits until `count` slots (at most the capacity) are free and takes them; fewer than asked means the
    /// rest are projected on first pull, one slot each. None when the request was cancelled while waiting.
    func acquire(_ count: Int) async -> [ProjectionSlot] {
        let wanted = min(count, capacity)
        guard wanted > 0 else { return [] }
        let id = state.withLock { state in
            state.nextID &+= 1
            return state.nextID
        }
        let granted = await withTaskCancellationHandler {
            await withCheckedContinuation { (waiter: CheckedContinuation<Int, Never>) in
                let now = state.withLock { state -> Int? in
                    if Task.isCancelled { return 0 }
                    if state.queue.isEmpty, state.inUse + wanted <= capacity {
                        state.inUse += wanted
                        state.peak = max(state.peak, state.inUse)
                        return wanted
                    }
                    state.queue.append((id, wanted, waiter))
                    return nil
                }
                if let now { waiter.resume(returning: now) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Int, Never>? in
                guard let index = state.queue.firstIndex(where: { $0.id == id }) else { return nil }
                return state.queue.remove(at: index).waiter
            }
            waiter?.resume(returning: 0)
        }
        return (0..<granted).map { _ in ProjectionSlot(budget: self) }
    }

    fileprivate func release() {
        var woken: [(CheckedContinuation<Int, Never>, Int)] = []
        let idle = state.withLock { state -> Bool in
            state.inUse -= 1
            while let first = state.queue.first, state.inUse + first.count <= capacity {
                state.queue.removeFirst()
                state.inUse += first.count
                state.peak = max(state.peak, state.inUse)
                woken.append((first.waiter, first.count))
            }
            return state.inUse == 0
        }
        for (waiter, count) in woken { waiter.resume(returning: count) }
        if idle && trimsMemory {
            Task.detached(priority: .background) { Self.trimMemory() }
        }
    }

    /// glibc's `malloc_trim(0)` (not in the Glibc module; absent from other C libraries, then nothing).
    static func trimMemory() {
        typealias Trim = @convention(c) (Int) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: Trim.self)(0)
    }

    /// Slots taken now, and the most ever taken at once (for tests and metrics).
    public var inUse: Int { state.withLock { $0.inUse } }
    public var peakInUse: Int { state.withLock { $0.peak } }
}

/// One projection's claim on the budget, given back when the projection (and its deflate state) is gone.
final class ProjectionSlot: Sendable {
    private let budget: ProjectionBudget

    fileprivate init(budget: ProjectionBudget) { self.budget = budget }

    deinit { budget.release() }
}
