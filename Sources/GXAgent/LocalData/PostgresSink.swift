import GXPostgres
import Logging
import NIOCore
import PostgresNIO

/// A consumer's table in PostgreSQL receiving rows, with the per-stream checkpoint (`gx_checkpoints`, beside
/// the table) committed in the same transaction as the data.
///
/// A batch is applied in bulk, the way PostgreSQL is fast: its changes are staged in COPY text form while the
/// batch is decoded, then — in one transaction — COPYed into a temporary table and merged with one DELETE and
/// one INSERT … ON CONFLICT DO UPDATE (the last change per key wins, as if applied one by one), and the
/// checkpoint is moved. A batch of upserts of new keys only, as in an initial load, is COPYed straight into
/// the table instead. Values are cast to the table's column types by PostgreSQL.
public final class PostgresSink: StagingRecordSink {
    public let table: String
    public let keyColumns: [String]
    let connection: PostgresConnection
    let description: PostgresTable
    let location: String
    let logger: Logger
    /// Disputes per stream that the next apply (or `writePendingDisputes`) writes to `gx_disputed`.
    private var pendingDisputes: [String: [DisputedKey]] = [:]

    static let checkpointTable = "gx_checkpoints"

    private init(table: String, keyColumns: [String], connection: PostgresConnection, description: PostgresTable, location: String, logger: Logger) {
        self.table = table
        self.keyColumns = keyColumns
        self.connection = connection
        self.description = description
        self.location = location
        self.logger = logger
    }

    /// Connects and checks the table. A missing table is created from `createColumns` (TEXT columns, PRIMARY
    /// KEY over the key columns); without them it is an error. A column of `createColumns` missing from an
    /// existing table is added (TEXT).
    public static func open(settings: PostgresSettings, table: String, keyColumns: [String], createColumns: [String]? = nil,
                            logger: Logger = Logger(label: "gongxiang.sink")) async throws(LocalDataError) -> PostgresSink {
        let location = "\(settings):\(table)"
        guard !keyColumns.isEmpty else { throw LocalDataError(location: location, reason: "no key columns configured") }
        guard let name = table.split(separator: ".").last.map(String.init), name != checkpointTable, name != DisputedKey.table else {
            throw LocalDataError(location: location, reason: "\(checkpointTable) and \(DisputedKey.table) are reserved for the agent")
        }
        if let createColumns { try SinkColumns.validate(createColumns, keyColumns: keyColumns, location: location) }
        let connection = try await PostgresTable.connect(settings, location: location, logger: logger)
        do {
            var description = try await PostgresTable.describe(table, on: connection, logger: logger)
            if description.columns.isEmpty {
                guard let createColumns else {
                    throw LocalDataError(location: location, reason: "no such table, and no columns given to create it")
                }
                let definitions = createColumns.map { $0.postgresIdentifier + (keyColumns.contains($0) ? " TEXT NOT NULL" : " TEXT") }
                let primaryKey = "PRIMARY KEY (\(keyColumns.map(\.postgresIdentifier).joined(separator: ", ")))"
                try await connection.run(PostgresQuery(unsafeSQL: """
                    CREATE TABLE IF NOT EXISTS \(table.postgresQualifiedName) (\((definitions + [primaryKey]).joined(separator: ", ")))
                    """), logger: logger)
                description = try await PostgresTable.describe(table, on: connection, logger: logger)
            }
            // A column mapped since the table was made (an amendment added an item): added, empty for the rows
            // already there until a batch brings their value.
            let missing = (createColumns ?? []).filter { column in !keyColumns.contains(column) && !description.columns.contains { $0.name == column } }
            if !missing.isEmpty {
                let additions = missing.map { "ADD COLUMN IF NOT EXISTS \($0.postgresIdentifier) TEXT" }.joined(separator: ", ")
                try await connection.run(PostgresQuery(unsafeSQL: "ALTER TABLE \(table.postgresQualifiedName) \(additions)"), logger: logger)
                description = try await PostgresTable.describe(table, on: connection, logger: logger)
            }
            try await connection.run(PostgresQuery(unsafeSQL: """
                CREATE TABLE IF NOT EXISTS \(description.schemaPrefix)\(checkpointTable.postgresIdentifier) (
                    stream TEXT PRIMARY KEY, sequence BIGINT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)
                """), logger: logger)
            try await connection.run(PostgresQuery(unsafeSQL: """
                CREATE TABLE IF NOT EXISTS \(description.schemaPrefix)\(DisputedKey.table.postgresIdentifier) (
                    stream TEXT NOT NULL, key TEXT NOT NULL, objection TEXT NOT NULL, since TEXT NOT NULL, PRIMARY KEY (stream, objection))
                """), logger: logger)
            let names = description.columns.map(\.name)
            for column in createColumns ?? [] where !names.contains(column) {
                throw LocalDataError(location: location, reason: "existing table has no column \(column)")
            }
            for column in keyColumns where !names.contains(column) {
                throw LocalDataError(location: location, reason: "key column \(column) is not in the table (\(names.joined(separator: ", ")))")
            }
            let sink = PostgresSink(table: table, keyColumns: keyColumns, connection: connection, description: description,
                                    location: location, logger: logger)
            try await sink.requireUniqueKey()
            return sink
        } catch {
            try? await connection.close()
            throw LocalDataError.postgres(error, at: location, while: "cannot prepare the table")
        }
    }

    /// The merge's ON CONFLICT only plans when a PRIMARY KEY or UNIQUE index covers exactly the key columns;
    /// EXPLAIN finds out at start-up without touching a row.
    private func requireUniqueKey() async throws {
        let names = description.columns.map(\.name)
        let sql = "EXPLAIN INSERT INTO \(description.sql) (\(names.map(\.postgresIdentifier).joined(separator: ", "))) "
            + "SELECT \(description.columns.map { "NULL::\($0.type)" }.joined(separator: ", ")) WHERE false "
            + "ON CONFLICT (\(keyColumns.map(\.postgresIdentifier).joined(separator: ", "))) DO NOTHING"
        do {
            try await connection.run(PostgresQuery(unsafeSQL: sql), logger: logger)
        } catch {
            throw LocalDataError(location: location,
                                 reason: "the upsert needs a PRIMARY KEY or UNIQUE index over exactly (\(keyColumns.joined(separator: ", "))): \(PostgresFailure(error))")
        }
    }

    public func columns() throws(LocalDataError) -> [String] {
        description.columns.map(\.name)
    }

    var checkpointSQL: String { description.schemaPrefix + Self.checkpointTable.postgresIdentifier }

    public func checkpoint(stream: String) async throws(LocalDataError) -> Int64? {
        do {
            let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT sequence FROM \(checkpointSQL) WHERE stream = $1",
                                                                binds: bindings([stream])), logger: logger)
            for try await sequence in rows.decode(Int64.self) { return sequence }
            return nil
        } catch {
            throw LocalDataError.postgres(error, at: location, while: "cannot read checkpoint of stream \(stream)")
        }
    }

    /// Stages the body's changes, then merges them and moves the checkpoint in one transaction; any throw —
    /// from the body or the database — leaves the table and checkpoint as they were. A checkpoint not after
    /// the stored one is refused, so a resent batch is never applied twice.
    public func apply(stream: String, checkpoint: Int64, _ body: (any SinkTransaction) throws -> Void) async throws {
        let staged = newStaging()
        do {
            try body(staged)
        } catch {
            staged.close()
            throw error
        }
        try await apply(staged, stream: stream, checkpoint: checkpoint)
    }

    public func newStaging() -> PostgresStagedChanges {
        PostgresStagedChanges(location: location, columnNames: description.columns.map(\.name),
                              keyIndexes: keyColumns.map { key in description.columns.firstIndex { $0.name == key }! })
    }

    public func apply(_ staged: PostgresStagedChanges, stream: String, checkpoint: Int64) async throws {
        staged.close()
        let disputes = pendingDisputes[stream]
        do {
            try await connection.withTransaction(logger: logger) { connection in
                let stored = try await connection.query(PostgresQuery(unsafeSQL: "SELECT sequence FROM \(checkpointSQL) WHERE stream = $1 FOR UPDATE",
                                                                      binds: bindings([stream])), logger: logger)
                for try await sequence in stored.decode(Int64.self) where checkpoint <= sequence {
                    throw LocalDataError(location: location, reason: "batch \(checkpoint) of stream \(stream) is not after its checkpoint \(sequence); already applied")
                }
                if staged.count > 0 { try await merge(staged, on: connection) }
                try await connection.run(PostgresQuery(unsafeSQL: """
                    INSERT INTO \(checkpointSQL) (stream, sequence, applied_at) VALUES ($1, $2, now())
                    ON CONFLICT (stream) DO UPDATE SET sequence = excluded.sequence, applied_at = excluded.applied_at
                    """, binds: bindings([stream], checkpoint)), logger: logger)
                if let disputes { try await replaceDisputes(of: stream, with: disputes, on: connection) }
            }
            pendingDisputes[stream] = nil
        } catch {
            throw LocalDataError.postgres(error, at: location, while: "cannot apply batch \(checkpoint) of stream \(stream)")
        }
    }

    private nonisolated(nonsending) func merge(_ staged: PostgresStagedChanges, on connection: PostgresConnection) async throws {
        if staged.deletes == 0, !staged.hasRepeatedKeys, try await copyDirectly(staged, on: connection) { return }
        let columns = description.columns
        let stageColumns = columns.indices.map { "c\($0)" }
        try await connection.run(PostgresQuery(unsafeSQL: """
            CREATE TEMPORARY TABLE gx_stage (gx_order BIGINT, gx_op TEXT, \(stageColumns.map { "\($0) TEXT" }.joined(separator: ", "))) ON COMMIT DROP
            """), logger: logger)
        try await connection.copyFrom(table: "gx_stage", logger: logger) { writer in
            for chunk in staged.chunks { try await writer.write(ByteBuffer(bytes: chunk)) }
        }
        let keyPositions = keyColumns.map { key in columns.firstIndex { $0.name == key }! }
        let stageKeys = keyPositions.map { "c\($0)" }.joined(separator: ", ")
        // The last change per key is what one-by-one application would leave; without repeated keys every
        // staged change is already the last.
        var changes = "gx_stage"
        if staged.hasRepeatedKeys {
            try await connection.run(PostgresQuery(unsafeSQL: """
                CREATE TEMPORARY TABLE gx_last ON COMMIT DROP AS
                SELECT DISTINCT ON (\(stageKeys)) * FROM gx_stage ORDER BY \(stageKeys), gx_order DESC
                """), logger: logger)
            changes = "gx_last"
        }
        let matches = keyPositions.map { "t.\(columns[$0].name.postgresIdentifier) = s.c\($0)::\(columns[$0].type)" }.joined(separator: " AND ")
        try await connection.run(PostgresQuery(unsafeSQL: """
            DELETE FROM \(description.sql) t USING \(changes) s WHERE s.gx_op = 'd' AND \(matches)
            """), logger: logger)
        let names = columns.map(\.name.postgresIdentifier)
        let casts = columns.indices.map { "c\($0)::\(columns[$0].type)" }
        let updates = columns.filter { !keyColumns.contains($0.name) }.map { "\($0.name.postgresIdentifier) = excluded.\($0.name.postgresIdentifier)" }
        try await connection.run(PostgresQuery(unsafeSQL: """
            INSERT INTO \(description.sql) (\(names.joined(separator: ", ")))
            SELECT \(casts.joined(separator: ", ")) FROM \(changes) WHERE gx_op = 'u'
            ON CONFLICT (\(keyColumns.map(\.postgresIdentifier).joined(separator: ", ")))
            DO \(updates.isEmpty ? "NOTHING" : "UPDATE SET " + updates.joined(separator: ", "))
            """), logger: logger)
    }

    /// A batch of upserts of keys the table does not hold yet — every batch of an initial load — goes straight
    /// into the table with one COPY: half the index work of staging and merging. A key the table already
    /// holds fails the COPY with a unique violation; the savepoint undoes it and the batch is merged instead.
    /// PostgresNIO quotes the COPY's table and column names itself, so only plain names take this path.
    private nonisolated(nonsending) func copyDirectly(_ staged: PostgresStagedChanges, on connection: PostgresConnection) async throws -> Bool {
        let names = description.columns.map(\.name)
        guard !description.name.contains("."), !description.name.contains("\""), !names.contains(where: { $0.contains("\"") }) else { return false }
        try await connection.run(PostgresQuery(unsafeSQL: "SAVEPOINT gx_direct"), logger: logger)
        do {
            try await connection.copyFrom(table: description.name, columns: names, logger: logger) { writer in
                for chunk in staged.chunks { try await writer.write(PostgresStagedChanges.tableRows(of: chunk)) }
            }
        } catch where PostgresFailure(error).isUniqueViolation {
            try await connection.run(PostgresQuery(unsafeSQL: "ROLLBACK TO SAVEPOINT gx_direct"), logger: logger)
            return false
        }
        try await connection.run(PostgresQuery(unsafeSQL: "RELEASE SAVEPOINT gx_direct"), logger: logger)
        return true
    }

    var disputedSQL: String { description.schemaPrefix + DisputedKey.table.postgresIdentifier }

    public func expectDisputes(_ disputes: [DisputedKey], stream: String) {
        pendingDisputes[stream] = disputes
    }

    public func writePendingDisputes(stream: String) async throws {
        guard let disputes = pendingDisputes[stream] else { return }
        do {
            try await connection.withTransaction(logger: logger) { connection in
                try await replaceDisputes(of: stream, with: disputes, on: connection)
            }
        } catch {
            throw LocalDataError.postgres(error, at: location, while: "cannot record the disputed keys of stream \(stream)")
        }
        pendingDisputes[stream] = nil
    }

    /// The stream's disputed keys as `disputes` say: rows of objections no longer open go, new ones come.
    private nonisolated(nonsending) func replaceDisputes(of stream: String, with disputes: [DisputedKey], on connection: PostgresConnection) async throws {
        var kept = Set<String>()
        let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT objection FROM \(disputedSQL) WHERE stream = $1 FOR UPDATE",
                                                            binds: bindings([stream])), logger: logger)
        for try await objection in rows.decode(String.self) { kept.insert(objection) }
        let wanted = Set(disputes.map(\.objection))
        for objection in kept.subtracting(wanted) {
            try await connection.run(PostgresQuery(unsafeSQL: "DELETE FROM \(disputedSQL) WHERE stream = $1 AND objection = $2",
                                                   binds: bindings([stream, objection])), logger: logger)
        }
        for dispute in disputes where !kept.contains(dispute.objection) {
            try await connection.run(PostgresQuery(unsafeSQL: "INSERT INTO \(disputedSQL) (stream, key, objection, since) VALUES ($1, $2, $3, $4)",
                                                   binds: bindings([stream, dispute.key, dispute.objection, dispute.since])), logger: logger)
        }
    }

    private func bindings(_ texts: [String], _ number: Int64? = nil) -> PostgresBindings {
        var bindings = PostgresBindings()
        for text in texts { bindings.append(text) }
        if let number { bindings.append(number) }
        return bindings
    }

    /// Every row (values in `columns()` order, as text) ordered by key — for tests and digests.
    public func forEachRowOrderedByKey(_ body: ([String?]) throws -> Void) async throws {
        let sql = "SELECT " + description.columns.map { "\($0.name.postgresIdentifier)::text" }.joined(separator: ", ")
            + " FROM \(description.sql) ORDER BY " + keyColumns.map(\.postgresIdentifier).joined(separator: ", ")
        for try await row in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger) {
            try body(try row.map { try $0.decode(String?.self) })
        }
    }

    public func close() async {
        try? await connection.close()
    }
}
