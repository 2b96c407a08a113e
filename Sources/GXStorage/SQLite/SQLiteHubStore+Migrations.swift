import GRDB

extension SQLiteHubStore {
    /// Schema versions, oldest first. Never edit a shipped migration: add the next one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-registry-catalogue-agreements-audit") { db in
            try db.execute(sql: """
                CREATE TABLE hub_metadata (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE agencies (
                    code TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    public_key_pem TEXT NOT NULL,
                    roles TEXT NOT NULL
                );
                CREATE TABLE credentials (
                    token_hash TEXT PRIMARY KEY,
                    principal_kind TEXT NOT NULL,
                    principal_id TEXT NOT NULL,
                    created_at TEXT NOT NULL
                );
                CREATE INDEX credentials_principal ON credentials (principal_kind, principal_id);
                CREATE TABLE catalogue_entries (
                    resource_code TEXT NOT NULL,
                    schema_version TEXT NOT NULL,
                    provider TEXT NOT NULL REFERENCES agencies (code),
                    document TEXT NOT NULL,
                    PRIMARY KEY (resource_code, schema_version)
                );
                CREATE TABLE agreements (
                    id TEXT PRIMARY KEY,
                    provider TEXT NOT NULL REFERENCES agencies (code),
                    consumer TEXT NOT NULL REFERENCES agencies (code),
                    resource_code TEXT NOT NULL,
                    state TEXT NOT NULL,
                    revision INTEGER NOT NULL,
                    document TEXT NOT NULL
                );
                CREATE INDEX agreements_provider ON agreements (provider);
                CREATE INDEX agreements_consumer ON agreements (consumer);
                CREATE INDEX agreements_resource ON agreements (resource_code, state);
                CREATE TABLE audit_entries (
                    seq INTEGER PRIMARY KEY,
                    time TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    agreement TEXT,
                    agencies TEXT NOT NULL,
                    details TEXT NOT NULL,
                    prev_hash TEXT NOT NULL,
                    hash TEXT NOT NULL
                );
                CREATE INDEX audit_entries_time ON audit_entries (time);
                CREATE INDEX audit_entries_action ON audit_entries (action, seq);
                CREATE INDEX audit_entries_actor ON audit_entries (actor, seq);
                CREATE INDEX audit_entries_agreement ON audit_entries (agreement, seq);
                CREATE TABLE audit_entry_agencies (
                    agency TEXT NOT NULL,
                    seq INTEGER NOT NULL REFERENCES audit_entries (seq),
                    PRIMARY KEY (agency, seq)
                );
                CREATE TABLE audit_checkpoints (
                    seq INTEGER PRIMARY KEY,
                    head_hash TEXT NOT NULL,
                    time TEXT NOT NULL,
                    signature TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("v2-batches-deliveries-receipts") { db in
            try db.execute(sql: """
                CREATE TABLE batches (
                    resource_code TEXT NOT NULL,
                    sequence INTEGER NOT NULL,
                    provider TEXT NOT NULL REFERENCES agencies (code),
                    manifest TEXT NOT NULL,
                    signature TEXT NOT NULL,
                    manifest_sm3 TEXT NOT NULL,
                    accepted_at TEXT NOT NULL,
                    payload TEXT,
                    PRIMARY KEY (resource_code, sequence)
                );
                CREATE TABLE deliveries (
                    agreement_id TEXT NOT NULL REFERENCES agreements (id),
                    sequence INTEGER NOT NULL,
                    manifest TEXT NOT NULL,
                    signature TEXT NOT NULL,
                    payload TEXT,
                    PRIMARY KEY (agreement_id, sequence)
                );
                CREATE TABLE receipts (
                    agreement_id TEXT NOT NULL REFERENCES agreements (id),
                    sequence INTEGER NOT NULL,
                    resource_code TEXT NOT NULL,
                    receipt TEXT NOT NULL,
                    signature TEXT NOT NULL,
                    received_at TEXT NOT NULL,
                    PRIMARY KEY (agreement_id, sequence)
                );
                CREATE INDEX receipts_resource ON receipts (resource_code, sequence);
                """)
        }
        // Keys an agency rotated away from, so what they signed before still verifies.
        migrator.registerMigration("v3-agency-retired-keys") { db in
            try db.execute(sql: "ALTER TABLE agencies ADD COLUMN retired_keys TEXT NOT NULL DEFAULT '[]'")
        }
        // The agency index by sequence, so a verifier compares it with the chain page by page.
        migrator.registerMigration("v4-audit-index-check") { db in
            try db.execute(sql: "CREATE INDEX audit_entry_agencies_seq ON audit_entry_agencies (seq)")
        }
        // The console's sign-ins, shared by every hub process on the database; tokens kept as their SM3.
        migrator.registerMigration("v6-console-sessions") { db in
            try db.execute(sql: """
                CREATE TABLE console_sessions (
                    token_hash TEXT PRIMARY KEY,
                    principal_kind TEXT NOT NULL,
                    principal_id TEXT NOT NULL,
                    credential_hash TEXT NOT NULL,
                    opened_at TEXT NOT NULL,
                    last_seen_at TEXT NOT NULL
                );
                CREATE INDEX console_sessions_last_seen ON console_sessions (last_seen_at);
                CREATE INDEX console_sessions_opened ON console_sessions (opened_at);
                """)
        }
        // Sharing demands (共享需求) with the running step's deadline, for the overdue list.
        migrator.registerMigration("v7-demands") { db in
            try db.execute(sql: """
                CREATE TABLE demands (
                    id TEXT PRIMARY KEY,
                    consumer TEXT NOT NULL REFERENCES agencies (code),
                    provider TEXT NOT NULL REFERENCES agencies (code),
                    resource_code TEXT NOT NULL,
                    state TEXT NOT NULL,
                    deadline TEXT,
                    revision INTEGER NOT NULL,
                    document TEXT NOT NULL
                );
                CREATE INDEX demands_consumer ON demands (consumer);
                CREATE INDEX demands_provider ON demands (provider);
                CREATE INDEX demands_deadline ON demands (state, deadline);
                """)
        }
        // Objections (数据异议) to shared records, with the provider's answer deadline for the overdue list.
        migrator.registerMigration("v8-objections") { db in
            try db.execute(sql: """
                CREATE TABLE objections (
                    id TEXT PRIMARY KEY,
                    consumer TEXT NOT NULL REFERENCES agencies (code),
                    provider TEXT NOT NULL REFERENCES agencies (code),
                    agreement_id TEXT NOT NULL REFERENCES agreements (id),
                    resource_code TEXT NOT NULL,
                    key_text TEXT NOT NULL,
                    state TEXT NOT NULL,
                    raised_at TEXT NOT NULL,
                    deadline TEXT NOT NULL,
                    revision INTEGER NOT NULL,
                    document TEXT NOT NULL
                );
                CREATE INDEX objections_consumer ON objections (consumer);
                CREATE INDEX objections_provider ON objections (provider);
                CREATE INDEX objections_resource ON objections (resource_code, state);
                CREATE INDEX objections_deadline ON objections (state, deadline);
                CREATE INDEX objections_raised ON objections (raised_at);
                """)
        }
        // The resource an entry concerns (`AuditResource`), beside the chain, so `?resource=` pages by index.
        migrator.registerMigration("v8-audit-resource-index") { db in
            try db.execute(sql: "ALTER TABLE audit_entries ADD COLUMN resource TEXT")
            try db.execute(sql: auditResourceBackfill)
            try db.execute(sql: "CREATE INDEX audit_entries_resource ON audit_entries (resource, seq)")
        }
        // Verification (比对核实) requests with their answers and receipts, one document each.
        migrator.registerMigration("v11-verification") { db in
            try db.execute(sql: """
                CREATE TABLE verifications (
                    agreement_id TEXT NOT NULL REFERENCES agreements (id),
                    sequence INTEGER NOT NULL,
                    revision INTEGER NOT NULL,
                    document TEXT NOT NULL,
                    PRIMARY KEY (agreement_id, sequence)
                );
                """)
        }
        // Exchange totals per night, kept as batches and receipts are accepted, filled from those already kept.
        migrator.registerMigration(totalsMigration) { db in try migrateTotals(db) }
        // Keys revoked as compromised, per agency (issue 19).
        migrator.registerMigration("v12-key-revocation") { db in
            try db.execute(sql: "ALTER TABLE agencies ADD COLUMN revoked_keys TEXT NOT NULL DEFAULT '[]'")
        }
        // When each agreement was active, kept with its acts; filled from the audit chain an older hub holds.
        migrator.registerMigration(AgreementSpans.migration) { db in try migrateSpans(db) }
        // Entry times as a running maximum along the chain, so a time range is a range of sequence numbers (`AuditSearch`);
        // the few entries dated before an earlier one (a clock set back) keep an index of their own.
        migrator.registerMigration("v16-audit-time-order") { db in
            try db.execute(sql: """
                ALTER TABLE audit_entries ADD COLUMN time_order TEXT;
                \(auditTimeOrderBackfill);
                CREATE INDEX audit_entries_time_order ON audit_entries (time_order);
                CREATE INDEX audit_entries_disordered ON audit_entries (time) WHERE time < time_order;
                DROP INDEX audit_entries_time;
                """)
        }
        return migrator
    }

    static func migrate(_ pool: DatabasePool) throws {
        let migrator = Self.migrator
        let known = Set(migrator.migrations)
        let applied = try pool.read { try migrator.appliedIdentifiers($0) }
        if !applied.isSubset(of: known) {
            throw StoreError.migrationsAhead(database: applied.count, known: known.count)
        }
        try migrator.migrate(pool)
    }

    /// The identifiers of the migrations applied to this database, for `/readyz` and diagnostics.
    public func appliedMigrations() async throws -> [String] {
        try await pool.read { try Self.migrator.appliedIdentifiers($0).sorted() }
    }

    public var knownMigrations: [String] { Self.migrator.migrations }
}
