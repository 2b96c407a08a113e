import GXDomain
import GXPostgres
import PostgresNIO

extension PostgresHubStore {
    /// Seals a draft onto the current head. Runs inside `commit`, under the commit lock, so two appends —
    /// from this process or another — can never link to the same predecessor (and the unique index on
    /// `prev_hash` would refuse it if they did).
    func append(_ draft: AuditDraft, time: String, on connection: PostgresConnection) async throws -> AuditEntry {
        var head: (Int64, String) = (0, AuditChain.genesisHash)
        for try await row in try await connection.query("SELECT seq, hash FROM audit_entries ORDER BY seq DESC LIMIT 1", logger: logger)
            .decode((Int64, String).self) {
            head = row
        }
        let entry = AuditChain.seal(draft, seq: head.0 + 1, time: time, prevHash: head.1)
        let agencies = CanonicalJSON.array(entry.agencies.map { .string($0) }).canonicalString
        let details = CanonicalJSON.object(entry.details).canonicalString
        try await connection.run("""
            INSERT INTO audit_entries (seq, time, actor, action, subject, agreement, agencies, details, prev_hash, hash)
            VALUES (\(entry.seq), \(entry.time), \(entry.actor), \(entry.action), \(entry.subject), \(entry.agreement),
                    \(agencies), \(details), \(entry.prevHash), \(entry.hash))
            """, logger: logger)
        for agency in Set(entry.agencies) {
            try await connection.run("INSERT INTO audit_entry_agencies (agency, seq) VALUES (\(agency), \(entry.seq))", logger: logger)
        }
        return entry
    }

    static func auditEntry(from row: PostgresRow) throws -> AuditEntry {
        let row = row.makeRandomAccess()
        return AuditEntry(seq: try row["seq"].decode(Int64.self), time: try row["time"].decode(String.self),
                          actor: try row["actor"].decode(String.self), action: try row["action"].decode(String.self),
                          subject: try row["subject"].decode(String.self), agreement: try row["agreement"].decode(String?.self),
                          agencies: try StoreCoding.decode([String].self, try row["agencies"].decode(String.self)),
                          details: try StoreCoding.decode([String: CanonicalJSON].self, try row["details"].decode(String.self)),
                          prevHash: try row["prev_hash"].decode(String.self), hash: try row["hash"].decode(String.self))
    }

    public func auditEntries(matching query: AuditQuery) async throws -> [AuditEntry] {
        var filter = PostgresFilter()
        filter.add("e.seq > ?", query.afterSeq)
        var from = "audit_entries e"
        if let agency = query.agency {
            from = "audit_entry_agencies a JOIN audit_entries e ON e.seq = a.seq"
            filter.add("a.agency = ?", agency)
        }
        if let agreement = query.agreement { filter.add("e.agreement = ?", agreement) }
        if let action = query.action { filter.add("e.action = ?", action) }
        if let actor = query.actor { filter.add("e.actor = ?", actor) }
        if let start = query.fromTimestamp { filter.add("e.time >= ?", start) }
        if let end = query.untilTimestamp { filter.add("e.time < ?", end) }
        let sql = "SELECT e.* FROM \(from)\(filter.whereClause) ORDER BY e.seq LIMIT \(query.limit)"
        let bindings = filter.bindings
        return try await read { [self] connection in
            try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger).collect().map(Self.auditEntry(from:))
        }
    }

    public func auditChain(afterSeq: Int64, limit: Int) async throws -> [AuditEntry] {
        try await read { [self] connection in
            try await connection.query("SELECT * FROM audit_entries WHERE seq > \(afterSeq) ORDER BY seq LIMIT \(limit)", logger: logger)
                .collect().map(Self.auditEntry(from:))
        }
    }

    public func auditIndexRows(afterSeq: Int64, throughSeq: Int64) async throws -> [AuditIndexRow] {
        try await read { [self] connection in
            var rows: [AuditIndexRow] = []
            for try await (seq, agency) in try await connection.query("""
                SELECT seq, agency FROM audit_entry_agencies WHERE seq > \(afterSeq) AND seq <= \(throughSeq) ORDER BY seq, agency
                """, logger: logger).decode((Int64, String).self) {
                rows.append(AuditIndexRow(seq: seq, agency: agency))
            }
            return rows
        }
    }

    func repairAuditIndex(add: [AuditIndexRow], remove: [AuditIndexRow], on connection: PostgresConnection) async throws {
        for row in remove {
            try await connection.run("DELETE FROM audit_entry_agencies WHERE agency = \(row.agency) AND seq = \(row.seq)", logger: logger)
        }
        for row in add {
            try await connection.run("""
                INSERT INTO audit_entry_agencies (agency, seq) VALUES (\(row.agency), \(row.seq)) ON CONFLICT DO NOTHING
                """, logger: logger)
        }
    }

    public func auditHead() async throws -> (seq: Int64, hash: String) {
        try await read { [self] connection in
            for try await (seq, hash) in try await connection.query("SELECT seq, hash FROM audit_entries ORDER BY seq DESC LIMIT 1", logger: logger)
                .decode((Int64, String).self) {
                return (seq, hash)
            }
            return (0, AuditChain.genesisHash)
        }
    }

    public func addCheckpoint(_ checkpoint: AuditCheckpoint) async throws {
        try await transaction { [self] connection in
            try await connection.run("""
                INSERT INTO audit_checkpoints (seq, head_hash, time, signature)
                VALUES (\(checkpoint.seq), \(checkpoint.headHash), \(checkpoint.time), \(checkpoint.signature))
                ON CONFLICT (seq) DO NOTHING
                """, logger: logger)
        }
    }

    public func auditCheckpoints() async throws -> [AuditCheckpoint] {
        try await read { [self] connection in
            try await connection.query("SELECT * FROM audit_checkpoints ORDER BY seq", logger: logger).collect().map(Self.checkpoint(from:))
        }
    }

    public func lastCheckpoint() async throws -> AuditCheckpoint? {
        try await read { [self] connection in
            try await connection.query("SELECT * FROM audit_checkpoints ORDER BY seq DESC LIMIT 1", logger: logger).collect().first.map(Self.checkpoint(from:))
        }
    }

    static func checkpoint(from row: PostgresRow) throws -> AuditCheckpoint {
        let row = row.makeRandomAccess()
        return AuditCheckpoint(seq: try row["seq"].decode(Int64.self), headHash: try row["head_hash"].decode(String.self),
                               time: try row["time"].decode(String.self), signature: try row["signature"].decode(String.self))
    }
}
