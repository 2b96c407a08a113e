import Foundation
import GRDB
import GXDomain

extension SQLiteHubStore {
    /// Seals a draft onto the current head. Runs inside the write transaction, which SQLite
    /// serialises, so two appends can never link to the same predecessor. Beside the chain it keeps the running
    /// maximum of entry times (`time_order`, see `AuditSearch`) and the agency index. Its statements are prepared
    /// once per connection: a busy hub appends thousands of entries a second.
    static func append(_ draft: AuditDraft, time: String, in db: Database) throws -> AuditEntry {
        let head = try Row.fetchOne(db.cachedStatement(sql: "SELECT seq, hash, time_order FROM audit_entries ORDER BY seq DESC LIMIT 1"))
        let seq: Int64 = (head?["seq"] ?? 0) + 1
        let prev: String = head?["hash"] ?? AuditChain.genesisHash
        let entry = AuditChain.seal(draft, seq: seq, time: time, prevHash: prev)
        let headOrder: String? = head?["time_order"]
        let timeOrder = max(headOrder ?? time, time)
        try db.cachedStatement(sql: """
            INSERT INTO audit_entries (seq, time, actor, action, subject, agreement, agencies, details, prev_hash, hash, resource, time_order)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, COALESCE(?, (SELECT resource_code FROM agreements WHERE id = ?)), ?)
            """).execute(arguments: [entry.seq, entry.time, entry.actor, entry.action, entry.subject, entry.agreement,
                                     CanonicalJSON.array(entry.agencies.map { .string($0) }).canonicalString,
                                     CanonicalJSON.object(entry.details).canonicalString, entry.prevHash, entry.hash,
                                     AuditResource.named(draft), entry.agreement, timeOrder])
        let indexRow = try db.cachedStatement(sql: "INSERT INTO audit_entry_agencies (agency, seq) VALUES (?, ?)")
        for agency in Set(entry.agencies) {
            try indexRow.execute(arguments: [agency, entry.seq])
        }
        return entry
    }

    static func auditEntry(from row: Row) throws -> AuditEntry {
        AuditEntry(seq: row["seq"], time: row["time"], actor: row["actor"], action: row["action"], subject: row["subject"],
                   agreement: row["agreement"], agencies: try decode([String].self, row["agencies"]),
                   details: try decode([String: CanonicalJSON].self, row["details"]), prevHash: row["prev_hash"], hash: row["hash"])
    }

    /// The `v16-audit-time-order` backfill: each entry's `time_order`, the latest time up to it along the chain.
    static let auditTimeOrderBackfill = """
        UPDATE audit_entries SET time_order = running.time_order
        FROM (SELECT seq, max(time) OVER (ORDER BY seq) AS time_order FROM audit_entries) AS running
        WHERE running.seq = audit_entries.seq
        """

    /// The `v8-audit-resource-index` backfill: `AuditResource` in SQL, for the entries appended before it.
    static let auditResourceBackfill = """
        UPDATE audit_entries SET resource = COALESCE(
            CASE WHEN json_type(details, '$.resource') = 'text' AND json_extract(details, '$.resource') <> ''
                 THEN json_extract(details, '$.resource') END,
            CASE WHEN substr(action, 1, 10) = 'catalogue.' AND subject <> '' THEN subject
                 WHEN substr(action, 1, 6) = 'batch.' AND substr(subject, 1, 1) <> '#'
                 THEN CASE WHEN instr(subject, '#') > 0 THEN substr(subject, 1, instr(subject, '#') - 1) ELSE subject END END,
            (SELECT resource_code FROM agreements WHERE agreements.id = audit_entries.agreement))
        """

    public func auditChain(afterSeq: Int64, limit: Int) async throws -> [AuditEntry] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit_entries WHERE seq > ? ORDER BY seq LIMIT ?", arguments: [afterSeq, limit])
                .map(Self.auditEntry(from:))
        }
    }

    public func auditIndexRows(afterSeq: Int64, throughSeq: Int64) async throws -> [AuditIndexRow] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT seq, agency FROM audit_entry_agencies WHERE seq > ? AND seq <= ? ORDER BY seq, agency",
                             arguments: [afterSeq, throughSeq])
                .map { AuditIndexRow(seq: $0["seq"], agency: $0["agency"]) }
        }
    }

    static func repairAuditIndex(add: [AuditIndexRow], remove: [AuditIndexRow], in db: Database) throws {
        for row in remove {
            try db.execute(sql: "DELETE FROM audit_entry_agencies WHERE agency = ? AND seq = ?", arguments: [row.agency, row.seq])
        }
        for row in add {
            try db.execute(sql: "INSERT OR IGNORE INTO audit_entry_agencies (agency, seq) VALUES (?, ?)", arguments: [row.agency, row.seq])
        }
    }

    public func auditHead() async throws -> (seq: Int64, hash: String) {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_entries ORDER BY seq DESC LIMIT 1") else {
                return (0, AuditChain.genesisHash)
            }
            return (row["seq"], row["hash"])
        }
    }

    public func addCheckpoint(_ checkpoint: AuditCheckpoint) async throws {
        try await pool.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO audit_checkpoints (seq, head_hash, time, signature) VALUES (?, ?, ?, ?)",
                           arguments: [checkpoint.seq, checkpoint.headHash, checkpoint.time, checkpoint.signature])
        }
    }

    public func auditCheckpoints() async throws -> [AuditCheckpoint] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit_checkpoints ORDER BY seq").map(Self.checkpoint(from:))
        }
    }

    public func lastCheckpoint() async throws -> AuditCheckpoint? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM audit_checkpoints ORDER BY seq DESC LIMIT 1").map(Self.checkpoint(from:))
        }
    }

    static func checkpoint(from row: Row) -> AuditCheckpoint {
        AuditCheckpoint(seq: row["seq"], headHash: row["head_hash"], time: row["time"], signature: row["signature"])
    }
}
