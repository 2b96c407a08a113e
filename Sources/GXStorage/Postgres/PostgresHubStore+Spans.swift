import GXDomain
import GXPostgres
import PostgresNIO

/// The agreements' active spans (`AgreementSpans`), kept as the audit chain records their acts.
extension PostgresHubStore {
    static let spansSchema = """
        CREATE TABLE agreement_spans (
            agreement_id TEXT NOT NULL,
            started_seq BIGINT NOT NULL,
            started_at TEXT NOT NULL,
            ended_seq BIGINT,
            ended_at TEXT,
            PRIMARY KEY (agreement_id, started_seq)
        )
        """

    /// Opens or closes spans for the entries just appended, in the transaction that appended them.
    func recordSpans(_ entries: [AuditEntry], on connection: PostgresConnection) async throws {
        for entry in entries {
            guard let agreement = entry.agreement, let starts = AgreementSpans.move(of: entry.action) else { continue }
            try await recordSpan(agreement: agreement, seq: entry.seq, time: entry.time, starts: starts, on: connection)
        }
    }

    func recordSpan(agreement: String, seq: Int64, time: String, starts: Bool, on connection: PostgresConnection) async throws {
        if starts {
            try await connection.run("""
                INSERT INTO agreement_spans (agreement_id, started_seq, started_at)
                SELECT \(agreement), \(seq), \(time)
                WHERE NOT EXISTS (SELECT 1 FROM agreement_spans WHERE agreement_id = \(agreement) AND ended_seq IS NULL)
                """, logger: logger)
        } else {
            try await connection.run("""
                UPDATE agreement_spans SET ended_seq = \(seq), ended_at = \(time) WHERE agreement_id = \(agreement) AND ended_seq IS NULL
                """, logger: logger)
        }
    }

    /// Fills the spans from the activation entries already in the chain, in chain order (run by the migration
    /// that creates them, in its transaction).
    func backfillSpans(on connection: PostgresConnection) async throws {
        let actions = AgreementSpans.starts.union(AgreementSpans.stops).sorted()
        let rows = try await connection.query("""
            SELECT seq, agreement, action, time FROM audit_entries WHERE agreement IS NOT NULL AND action = ANY(\(actions)) ORDER BY seq
            """, logger: logger).collect()
        for row in rows {
            let (seq, agreement, action, time) = try row.decode((Int64, String, String, String).self)
            guard let starts = AgreementSpans.move(of: action) else { continue }
            try await recordSpan(agreement: agreement, seq: seq, time: time, starts: starts, on: connection)
        }
    }

    public func agreementSpans() async throws -> [String: [ActiveSpan]] {
        try await read { [self] connection in
            var rows: [(agreement: String, from: String, until: String?)] = []
            for try await row in try await connection.query("""
                SELECT agreement_id, started_at, ended_at FROM agreement_spans ORDER BY agreement_id, started_seq
                """, logger: logger).decode((String, String, String?).self) {
                rows.append(row)
            }
            return AgreementSpans.grouped(rows)
        }
    }
}
