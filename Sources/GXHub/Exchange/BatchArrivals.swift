import Synchronization

/// Wakes the long polls of consumers waiting for a resource's next batch as soon as one is accepted — by this
/// process (`announce` after the commit) or by another hub process on the same PostgreSQL database (its
/// `NOTIFY`, relayed by `BatchArrivalListener`) — so a waiting request costs the store nothing until then.
/// A waiter still asks the store every `fallbackInterval`, in case an announcement never came (a SQLite file
/// shared by processes on one host, a notification connection that dropped).
public final class BatchArrivals: Sendable {
    public let fallbackInterval: Duration
    private let state = Mutex(State())

    private struct State {
        /// How many batches of each resource were announced: a waiter that read the store after taking its
        /// mark misses none.
        var announced: [String: UInt64] = [:]
        var waiters: [String: [UInt64: CheckedContinuation<Void, Never>]] = [:]
        var nextWaiter: UInt64 = 0
    }

    public init(fallbackInterval: Duration = .seconds(3)) {
        self.fallbackInterval = fallbackInterval
    }

    /// The resource's announcement count; take it before reading the store, then `wait(since:)` it.
    func mark(_ resource: String) -> UInt64 {
        state.withLock { $0.announced[resource, default: 0] }
    }

    /// A batch of `resource` was accepted: every waiter for it goes to read the store.
    public func announce(_ resource: String) {
        let woken = state.withLock { state in
            state.announced[resource, default: 0] &+= 1
            return state.waiters.removeValue(forKey: resource).map { Array($0.values) } ?? []
        }
        for waiter in woken { waiter.resume() }
    }

    /// Returns once a batch of `resource` was announced after `mark`, at `deadline`, or after the fallback
    /// interval, whichever comes first.
    func wait(for resource: String, since mark: UInt64, until deadline: ContinuousClock.Instant) async {
        let limit = min(deadline, ContinuousClock.now + fallbackInterval)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.arrival(of: resource, since: mark) }
            group.addTask { try? await Task.sleep(until: limit, clock: .continuous) }
            await group.next()
            group.cancelAll()
        }
    }

    private func arrival(of resource: String, since mark: UInt64) async {
        let id = state.withLock { state in
            state.nextWaiter &+= 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state in
                    if state.announced[resource, default: 0] != mark || Task.isCancelled { return true }
                    state.waiters[resource, default: [:]][id] = waiter
                    return false
                }
                if now { waiter.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                let waiter = state.waiters[resource]?.removeValue(forKey: id)
                if state.waiters[resource]?.isEmpty == true { state.waiters[resource] = nil }
                return waiter
            }
            waiter?.resume()
        }
    }

    /// Requests waiting now, for the metrics and tests.
    public var waiting: Int {
        state.withLock { $0.waiters.values.reduce(0) { $0 + $1.count } }
    }
}
