import Foundation

/// Runs `body`, which blocks (waits for a process, sleeps), on a thread of its own and awaits its result.
///
/// Tests run as tasks on Swift's cooperative pool, one thread per core: a test blocking one of those
/// threads for a child process's lifetime stalls every other test, and on 2 cores two such waits stopped
/// the whole suite long enough for PostgreSQL calls to time out.
public func blockingWork<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Swift.Result { try body() })
        }
        thread.start()
    }
}
