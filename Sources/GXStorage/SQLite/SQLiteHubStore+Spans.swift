import GRDB
import GXDomain

/// The agreements' active spans (`AgreementSpans`), kept as the audit chain records their acts.
extension SQLiteHubStore {
    static let spansSchema = """
        CREATE TABLE agreement_spans (
            agreement_id TEXT NOT NULL,
            started_seq INTEGER NOT NULL,
            started_at TEXT NOT NULL,
            ended_seq INTEGER,
            ended_at TEXT,
            PRIMARY KEY (agreement_id, started_seq)
        )
        """

    /// Opens or closes spans for the entries just appended, in the transaction that appended them.
    static func recordSpans(_ entries: [AuditEntry], in db: Database) throws {
        for entry in entries {
            guard let agreement = entry.agreement, let starts = AgreementSpans.move(of: entry.action) else { continue }
            try recordSpan(agreement: agreement, seq: entry.seq, time: entry.time, starts: starts, in: db)
        }
    }

    static func recordSpan(agreement: String, seq: Int64, time: String, starts: Bool, in db: Database) throws {
        if starts {
            try db.execute(sql: """
                INSERT INTO agreement_spans (agreement_id, started_seq, started_at)
                SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM agreement_spans WHERE agreement_id = ? AND ended_seq IS NULL)
                """, arguments: [agreement, seq, time, agreement])
        } else {
            try db.execute(sql: "UPDATE agreement_spans SET ended_seq = ?, ended_at = ? WHERE agreement_id = ? AND ended_seq IS NULL",
                           arguments: [seq, time, agreement])
        }
    }

    /// Creates the spans and fills them from the activation entries already in the chain, in chain order.
    static func migrateSpans(_ db: Database) throws {
        try db.execute(sql: spansSchema)
        let actions = AgreementSpans.starts.union(AgreementSpans.stops).sorted()
        let rows = try Row.fetchAll(db, sql: """
            SELECT seq, agreement, action, time FROM audit_entries
            WHERE agreement IS NOT NULL AND action IN (\(actions.map { _ in "?" }.joined(separator: ", "))) ORDER BY seq
            """, arguments: StatementArguments(actions))
        for row in rows {
            guard let starts = AgreementSpans.move(of: row["action"]) else { continue }
            try recordSpan(agreement: row["agreement"], seq: row["seq"], time: row["time"], starts: starts, in: db)
        }
    }

    public func agreementSpans() async throws -> [String: [ActiveSpan]] {
        try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT agreement_id, started_at, ended_at FROM agreement_spans ORDER BY agreement_id, started_seq")
            return AgreementSpans.grouped(rows.map { ($0["agreement_id"], $0["started_at"], $0["ended_at"]) })
        }
    }
}
