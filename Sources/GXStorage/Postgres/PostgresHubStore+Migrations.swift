import Foundation
import GXPostgres
import Logging
import PostgresNIO

extension PostgresHubStore {
    /// Schema versions, oldest first, named as the SQLite store's are. Never edit a shipped migration:
    /// add the next one.
    static let migrations: [(id: String, sql: String)] = [
        ("v1-registry-catalogue-agreements-audit", """
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
                published_order BIGSERIAL NOT NULL,
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
                seq BIGINT PRIMARY KEY,
                time TEXT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                subject TEXT NOT NULL,
                agreement TEXT,
                agencies TEXT NOT NULL,
                details TEXT NOT NULL,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL UNIQUE
            );
            CREATE INDEX audit_entries_time ON audit_entries (time);
            CREATE INDEX audit_entries_action ON audit_entries (action, seq);
            CREATE INDEX audit_entries_actor ON audit_entries (actor, seq);
            CREATE INDEX audit_entries_agreement ON audit_entries (agreement, seq);
            CREATE UNIQUE INDEX audit_entries_prev ON audit_entries (prev_hash);
            CREATE TABLE audit_entry_agencies (
                agency TEXT NOT NULL,
                seq BIGINT NOT NULL REFERENCES audit_entries (seq),
                PRIMARY KEY (agency, seq)
            );
            CREATE TABLE audit_checkpoints (
                seq BIGINT PRIMARY KEY,
                head_hash TEXT NOT NULL,
                time TEXT NOT NULL,
                signature TEXT NOT NULL
            );
            """),
        ("v2-batches-deliveries-receipts", """
            CREATE TABLE batches (
                resource_code TEXT NOT NULL,
                sequence BIGINT NOT NULL,
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
                sequence BIGINT NOT NULL,
                manifest TEXT NOT NULL,
                signature TEXT NOT NULL,
                payload TEXT,
                PRIMARY KEY (agreement_id, sequence)
            );
            CREATE TABLE receipts (
                agreement_id TEXT NOT NULL REFERENCES agreements (id),
                sequence BIGINT NOT NULL,
                resource_code TEXT NOT NULL,
                receipt TEXT NOT NULL,
                signature TEXT NOT NULL,
                received_at TEXT NOT NULL,
                PRIMARY KEY (agreement_id, sequence)
            );
            CREATE INDEX receipts_resource ON receipts (resource_code, sequence);
            """),
        ("v3-agency-retired-keys", """
            ALTER TABLE agencies ADD COLUMN retired_keys TEXT NOT NULL DEFAULT '[]'
            """),
        // The agency index by sequence, so a verifier compares it with the chain page by page.
        ("v4-audit-index-check", """
            CREATE INDEX audit_entry_agencies_seq ON audit_entry_agencies (seq)
            """),
        ("v6-console-sessions", """
            CREATE TABLE console_sessions (
                token_hash TEXT PRIMARY KEY,
                principal_kind TEXT NOT NULL,
                principal_id TEXT NOT NULL,
                credential_hash TEXT NOT NULL,
                opened_at TEXT NOT NULL,
                last_seen_at TEXT NOT NULL
            );
            CREATE INDEX console_sessions_last_seen ON console_sessions (last_seen_at);
            CREATE INDEX console_sessions_opened ON console_sessions (opened_at)
            """),
        ("v7-demands", """
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
            CREATE INDEX demands_deadline ON demands (state, deadline)
            """),
        ("v8-objections", """
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
            CREATE INDEX objections_raised ON objections (raised_at)
            """),
        // The resource an entry concerns (`AuditResource`), beside the chain, so `?resource=` pages by index.
        ("v8-audit-resource-index", """
            ALTER TABLE audit_entries ADD COLUMN resource TEXT;
            \(auditResourceBackfill);
            CREATE INDEX audit_entries_resource ON audit_entries (resource, seq)
            """),
        ("v11-verification", """
            CREATE TABLE verifications (
                agreement_id TEXT NOT NULL REFERENCES agreements (id),
                sequence BIGINT NOT NULL,
                revision INTEGER NOT NULL,
                document TEXT NOT NULL,
                PRIMARY KEY (agreement_id, sequence)
            )
            """),
        // Exchange totals per night, kept as batches and receipts are accepted; `migrate` fills them from those already kept.
        (totalsMigration, totalsSchema),
        // Payloads kept in the database (`PostgresPayloadStore`): a row per payload, its sealed bytes in chunks.
        // The bytes are sealed (incompressible): stored out of line without trying to compress them.
        ("v15-payload-chunks", """
            CREATE TABLE payloads (
                id BIGSERIAL PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                bytes BIGINT,
                touched_at TIMESTAMPTZ NOT NULL DEFAULT now()
            );
            CREATE TABLE payload_chunks (
                payload_id BIGINT NOT NULL REFERENCES payloads (id) ON DELETE CASCADE,
                chunk_no INTEGER NOT NULL,
                bytes BYTEA NOT NULL,
                PRIMARY KEY (payload_id, chunk_no)
            );
            ALTER TABLE payload_chunks ALTER COLUMN bytes SET STORAGE EXTERNAL
            """),
        // Keys revoked as compromised, per agency (issue 19).
        ("v12-key-revocation", """
            ALTER TABLE agencies ADD COLUMN revoked_keys TEXT NOT NULL DEFAULT '[]'
            """),
        // When each agreement was active, kept with its acts; `migrate` fills them from the audit chain.
        (AgreementSpans.migration, spansSchema),
        // Entry times as a running maximum along the chain, so a time range is a range of sequence numbers (`AuditSearch`);
        // the few entries dated before an earlier one (a clock set back) keep an index of their own.
        ("v16-audit-time-order", """
            ALTER TABLE audit_entries ADD COLUMN time_order TEXT;
            \(auditTimeOrderBackfill);
            CREATE INDEX audit_entries_time_order ON audit_entries (time_order, seq);
            CREATE INDEX audit_entries_disordered ON audit_entries (time) WHERE time < time_order;
            DROP INDEX audit_entries_time
            """),
    ]

    /// Brings the schema up to date in one transaction under an advisory lock, so hub processes starting
    /// together neither race nor see a half-migrated database. Refuses a database migrated by a newer gx.
    func migrate() async throws {
        let known = Self.migrations.map(\.id)
        try await transaction { [self] connection in
            try await connection.run("SELECT pg_advisory_xact_lock(\(Self.migrationLock))", logger: logger)
            try await connection.run("""
                CREATE TABLE IF NOT EXISTS gx_schema_migrations (id TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                """, logger: logger)
            var applied = Set<String>()
            for try await id in try await connection.query("SELECT id FROM gx_schema_migrations", logger: logger).decode(String.self) {
                applied.insert(id)
            }
            guard applied.isSubset(of: known) else {
                throw StoreError.migrationsAhead(database: applied.count, known: known.count)
            }
            for migration in Self.migrations where !applied.contains(migration.id) {
                logger.notice("applying migration \(migration.id)")
                // Each statement separately: the extended protocol takes one statement per query.
                for statement in migration.sql.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespacesAndNewlines) }) where !statement.isEmpty {
                    try await connection.run(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                if migration.id == Self.totalsMigration { try await backfillTotals(on: connection) }
                if migration.id == AgreementSpans.migration { try await backfillSpans(on: connection) }
                try await connection.run("INSERT INTO gx_schema_migrations (id) VALUES (\(migration.id))", logger: logger)
            }
        }
    }

    public var knownMigrations: [String] { Self.migrations.map(\.id) }

    /// The identifiers of the migrations applied to this database, for `/readyz` and diagnostics.
    public func appliedMigrations() async throws -> [String] {
        try await read { [self] connection in
            var ids: [String] = []
            for try await id in try await connection.query("SELECT id FROM gx_schema_migrations ORDER BY id", logger: logger).decode(String.self) {
                ids.append(id)
            }
            return ids
        }
    }
}
