import Foundation
import GXDomain
import Logging
import ServiceLifecycle

/// The hub's background duties: sign audit checkpoints, expire agreements whose validity ended, and prune
/// acknowledged batch payloads past their retention.
/// On graceful shutdown it signs a last checkpoint so the chain's tail is covered.
struct HubMaintenance: Service {
    let hub: Hub
    var interval: Duration = .seconds(30)

    func run() async throws {
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                await runOnce()
                try? await Task.sleep(for: interval)
            }
        } onGracefulShutdown: {
            hub.logger.info("shutting down: signing a final audit checkpoint")
        }
        await signCheckpointLogged()
    }

    func runOnce() async {
        do {
            let expired = try await hub.expireDueAgreements()
            if !expired.isEmpty { hub.logger.info("agreements expired", metadata: ["ids": "\(expired)"]) }
        } catch {
            hub.logger.error("expiry sweep failed", metadata: ["error": "\(error)"])
        }
        do {
            let pruned = try await hub.pruneAcknowledgedBatches()
            if !pruned.isEmpty { hub.logger.info("pruned acknowledged batches", metadata: ["batches": "\(pruned)"]) }
        } catch {
            hub.logger.error("retention sweep failed", metadata: ["error": "\(error)"])
        }
        hub.removeIncompleteUploads()
        await signCheckpointLogged()
    }

    func signCheckpointLogged() async {
        do { try await hub.signCheckpoint() } catch {
            hub.logger.error("checkpoint failed", metadata: ["error": "\(error)"])
        }
    }
}
