import GXDomain
import GXPostgres
import PostgresNIO

extension PostgresHubStore {
    /// Seals drafts onto the current head, in order, all at `time`; beside the chain, the running maximum of entry
    /// times (`time_order`, see `AuditSearch`). Runs inside `commit`, under the commit lock, so two appends —
    /// from this process or another — can never link to the same predecessor (and the unique index on
    /// `prev_hash` would refuse it if they did). Three statements however many drafts: the head, the entries
    /// (their resource looked up from their agreement where the act names none, see `AuditResource`), the agency index.
    func append(_ drafts: [AuditDraft], time: String, on connection: PostgresConnection) async throws -> [AuditEntry] {
        guard !drafts.isEmpty else { return [] }
        var head: (Int64, String) = (0, AuditChain.genesisHash)
        var timeOrder = time
        for try await (seq, hash, headOrder) in try await connection.query("""
            SELECT seq, hash, time_order FROM audit_entries ORDER BY seq DESC LIMIT 1
            """, logger: logger).decode((Int64, String, String?).self) {
            head = (seq, hash)
            timeOrder = max(headOrder ?? time, time)
        }
        var entries: [AuditEntry] = []
        var seqs: [Int64] = [], times: [String] = [], actors: [String] = [], actions: [String] = [], subjects: [String] = []
        var agreements: [String] = [], hasAgreement: [Bool] = [], agencyLists: [String] = [], details: [String] = []
        var prevHashes: [String] = [], hashes: [String] = [], named: [String] = [], hasNamed: [Bool] = []
        var indexAgencies: [String] = [], indexSeqs: [Int64] = []
        for draft in drafts {
            let entry = AuditChain.seal(draft, seq: head.0 + 1, time: time, prevHash: head.1)
            head = (entry.seq, entry.hash)
            entries.append(entry)
            seqs.append(entry.seq); times.append(entry.time); actors.append(entry.actor); actions.append(entry.action)
            subjects.append(entry.subject); agreements.append(entry.agreement ?? ""); hasAgreement.append(entry.agreement != nil)
            agencyLists.append(CanonicalJSON.array(entry.agencies.map { .string($0) }).canonicalString)
            details.append(CanonicalJSON.object(entry.details).canonicalString)
            prevHashes.append(entry.prevHash); hashes.append(entry.hash)
            let resource = AuditResource.named(draft)
            named.append(resource ?? ""); hasNamed.append(resource != nil)
            for agency in Set(entry.agencies).sorted() { indexAgencies.append(agency); indexSeqs.append(entry.seq) }
        }
        var binds = PostgresBindings()
        binds.append(seqs); binds.append(times); binds.append(actors); binds.append(actions); binds.append(subjects)
        binds.append(agreements); binds.append(hasAgreement); binds.append(agencyLists); binds.append(details)
        binds.append(prevHashes); binds.append(hashes); binds.append(named); binds.append(hasNamed)
        binds.append(timeOrder)
        try await connection.run(PostgresQuery(unsafeSQL: """
            INSERT INTO audit_entries (seq, time, actor, action, subject, agreement, agencies, details, prev_hash, hash, resource, time_order)
            SELECT u.seq, u.time, u.actor, u.action, u.subject, CASE WHEN u.has_agreement THEN u.agreement END, u.agencies, u.details,
                   u.prev_hash, u.hash,
                   CASE WHEN u.has_named THEN u.named
                        WHEN u.has_agreement THEN (SELECT a.resource_code FROM agreements a WHERE a.id = u.agreement) END,
                   $14::text
            FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bool[], $8::text[], $9::text[],
                        $10::text[], $11::text[], $12::text[], $13::bool[])
                 AS u(seq, time, actor, action, subject, agreement, has_agreement, agencies, details, prev_hash, hash, named, has_named)
            ORDER BY u.seq
            """, binds: binds), logger: logger)
        if !indexSeqs.isEmpty {
            var index = PostgresBindings()
            index.append(indexAgencies); index.append(indexSeqs)
            try await connection.run(PostgresQuery(unsafeSQL: """
                INSERT INTO audit_entry_agencies (agency, seq) SELECT * FROM unnest($1::text[], $2::bigint[])
                """, binds: index), logger: logger)
        }
        return entries
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
            CASE WHEN jsonb_typeof(details::jsonb -> 'resource') = 'string' AND details::jsonb ->> 'resource' <> ''
                 THEN details::jsonb ->> 'resource' END,
            CASE WHEN substr(action, 1, 10) = 'catalogue.' AND subject <> '' THEN subject
                 WHEN substr(action, 1, 6) = 'batch.' AND substr(subject, 1, 1) <> '#' THEN split_part(subject, '#', 1) END,
            (SELECT resource_code FROM agreements WHERE agreements.id = audit_entries.agreement))
        """

    static func auditEntry(from row: PostgresRow) throws -> AuditEntry {
        let row = row.makeRandomAccess()
        return AuditEntry(seq: try row["seq"].decode(Int64.self), time: try row["time"].decode(String.self),
                          actor: try row["actor"].decode(String.self), action: try row["action"].decode(String.self),
                          subject: try row["subject"].decode(String.self), agreement: try row["agreement"].decode(String?.self),
                          agencies: try StoreCoding.decode([String].self, try row["agencies"].decode(String.self)),
                          details: try StoreCoding.decode([String: CanonicalJSON].self, try row["details"].decode(String.self)),
                          prevHash: try row["prev_hash"].decode(String.self), hash: try row["hash"].decode(String.self))
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
