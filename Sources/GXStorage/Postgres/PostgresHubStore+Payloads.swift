import GXPostgres
import PostgresNIO

/// Payloads kept in the database (`PostgresPayloadStore`), changed in the same transaction as the rows
/// that name them.
extension PostgresHubStore {
    func applyPayload(_ change: HubChange, on connection: PostgresConnection) async throws {
        switch change {
        case let .keepPayload(provisional, name):
            // A name already kept (the same batch accepted meanwhile) is a unique violation: a duplicate.
            let kept = try await connection.query("""
                UPDATE payloads SET name = \(name) WHERE name = \(provisional) AND bytes IS NOT NULL RETURNING id
                """, logger: logger).collect()
            if kept.isEmpty { throw StoreError.notFound(what: "the finished upload \(provisional)") }
        case let .deletePayloads(names):
            try await connection.run("DELETE FROM payloads WHERE name = ANY(\(names))", logger: logger)
        default:
            preconditionFailure("not a payload change: \(change)")
        }
    }
}
