import Foundation
import PostgresNIO

/// Accepted batches are announced with `NOTIFY` inside the accepting transaction, so listeners hear of a batch
/// only once it is committed, whichever hub process accepted it.
extension PostgresHubStore: AcceptedBatchNotices {
    static let batchAcceptedChannel = "gx_batch_accepted"

    /// Listens on a connection of its own (a `LISTEN` holds its connection for as long as it lasts).
    public func listenForAcceptedBatches(_ accepted: @escaping @Sendable (String) -> Void) async throws {
        let connection = try await PostgresConnection.connect(configuration: try settings.connectionConfiguration(), id: 0, logger: logger)
        do {
            try await connection.listen(on: Self.batchAcceptedChannel) { notices in
                for try await notice in notices { accepted(notice.payload) }
            }
        } catch {
            try? await connection.close()
            throw error
        }
        try? await connection.close()
    }
}
