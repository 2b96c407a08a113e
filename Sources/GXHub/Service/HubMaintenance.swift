import Foundation
import GXDomain
import Logging
import ServiceLifecycle

/// The hub's background duties: sign audit checkpoints, expire agreements whose validity ended, escalate
/// objections left unanswered past their deadline, and prune acknowledged batch and received verification payloads past their retention.
/// On graceful shutdown it signs a last checkpoint so the chain's tail is covered.
struct HubMaintenance: Service {
    let hub: Hub
    var interval: Duration = .seconds(30)

    /// The wait between rounds ends as soon as shutdown begins: the service group stops this service after the
    /// HTTP server has finished its requests, so the final checkpoint covers the last entry they wrote, and
    /// SIGTERM does not wait out the rest of an interval.
    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await runOnce()
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
        hub.logger.info("shutting down: signing a final audit checkpoint")
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
        do {
            let pruned = try await hub.pruneReceivedVerifications()
            if !pruned.isEmpty { hub.logger.info("pruned received verification payloads", metadata: ["verifications": "\(pruned)"]) }
        } catch {
            hub.logger.error("verification retention sweep failed", metadata: ["error": "\(error)"])
        }
        do {
            let escalated = try await ObjectionWorkflow(hub: hub).escalateOverdue(at: hub.now())
            if !escalated.isEmpty { hub.logger.notice("objections unanswered past their deadline escalated to the authority", metadata: ["ids": "\(escalated.map(\.id))"]) }
        } catch {
            hub.logger.error("objection escalation failed", metadata: ["error": "\(error)"])
        }
        await hub.removeIncompleteUploads()
        await signCheckpointLogged()
    }

    func signCheckpointLogged() async {
        do { try await hub.signCheckpoint() } catch {
            hub.logger.error("checkpoint failed", metadata: ["error": "\(error)"])
        }
    }
}
