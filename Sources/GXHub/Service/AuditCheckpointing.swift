import Foundation
import GXDomain
import Logging
import ServiceLifecycle

/// Keeps the unsigned tail of the audit chain short. Entries after the last signed checkpoint are only linked
/// by SM3, which anyone able to write the database can recompute, so every few seconds, if the chain grew, the
/// hub signs a checkpoint at its head (after writing the summaries of refusal windows that ended). On graceful
/// shutdown it summarises every open window and signs a last checkpoint.
struct AuditCheckpointing: Service {
    let hub: Hub
    var interval: Duration = .seconds(5)

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await signCheckpoint(closingAllWindows: false)
                try await Task.sleep(for: interval)
            }
        }
        await signCheckpoint(closingAllWindows: true)
    }

    func signCheckpoint(closingAllWindows all: Bool) async {
        do {
            try await hub.auditRefusalSummaries(all: all)
        } catch {
            hub.logger.error("refusal summaries not written", metadata: ["error": "\(error)"])
        }
        do { try await hub.signCheckpoint() } catch {
            hub.logger.error("checkpoint failed", metadata: ["error": "\(error)"])
        }
    }
}
