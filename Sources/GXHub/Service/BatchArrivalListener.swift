import GXStorage
import Logging
import ServiceLifecycle

/// Relays the store's notices of accepted batches (PostgreSQL `LISTEN`) to the waiting long polls of this
/// process, so a batch pushed through another hub process wakes them at once. Reconnects after a failure;
/// meanwhile the waiters' periodic check covers. Nothing to do on a store without notices (SQLite).
struct BatchArrivalListener: Service {
    let hub: Hub

    func run() async throws {
        guard let notices = hub.store as? any AcceptedBatchNotices else {
            // Returning would end the hub's service group: wait for the shutdown instead.
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            var pause = Duration.seconds(1)
            while !Task.isCancelled {
                do {
                    try await notices.listenForAcceptedBatches { resource in hub.arrivals.announce(resource) }
                } catch {
                    if Task.isCancelled { break }
                    hub.logger.warning("not hearing of batches accepted by other hub processes; long polls check every \(hub.arrivals.fallbackInterval) meanwhile",
                                       metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(30))
            }
        }
    }
}
