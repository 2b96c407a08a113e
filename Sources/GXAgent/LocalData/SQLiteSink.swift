import GRDB

/// A consumer's table receiving rows, with the per-stream checkpoint kept in the same database
/// (`gx_checkpoints`) so data and checkpoint commit in one transaction.
public final class SQLiteSink: RecordSink {
    public let path: String
    public let table: String
    public let keyColumns: [String]
    let queue: DatabaseQueue
    private let columnNames: [String]
    private let keyIndexes: [Int]
    private let upsertSQL: String
    private let deleteSQL: String
    /// Disputes per stream that the next apply (or `writePendingDisputes`) writes to `gx_disputed`.
    private var pendingDisputes: [String: [DisputedKey]] = [:]

    /// `database:table`, as errors name it.
    var location: String { "\(path):\(table)" }

    static let checkpointTable = "gx_checkpoints"

    /// Opens (creating the file if needed) the database at `path`. A missing table is created from
    /// `createColumns` (TEXT columns, PRIMARY KEY over the key columns); without them it is an error. A
    /// column of `createColumns` missing from an existing table is added (TEXT).
    public init(path: String, table: String, keyColumns: [String], createColumns: [String]? = nil) throws(LocalDataError) {
        self.path = path
        self.table = table
        self.keyColumns = keyColumns
        let location = "\(path):\(table)"
        guard !keyColumns.isEmpty else { throw LocalDataError(location: location, reason: "no key columns configured") }
        guard table != Self.checkpointTable, table != DisputedKey.table else {
            throw LocalDataError(location: location, reason: "\(Self.checkpointTable) and \(DisputedKey.table) are reserved for the agent")
        }
        if let createColumns { try SinkColumns.validate(createColumns, keyColumns: keyColumns, location: location) }
        if createColumns == nil, !POSIXFile.exists(path) {
            throw LocalDataError(location: location, reason: "no such database file, and no columns given to create the table")
        }
        let queue = try LocalDatabase.open(path: path, location: location, mode: .durable)
        self.queue = queue
        let names = try LocalDataError.catching(at: location, while: "cannot prepare the table") {
            try queue.write { db -> [String] in
                if try LocalDatabase.columns(db, table: table).isEmpty {
                    guard let createColumns else {
                        throw LocalDataError(location: location, reason: "no such table, and no columns given to create it")
                    }
                    let definitions = createColumns.map { column in
                        column.sqlIdentifier + (keyColumns.contains(column) ? " TEXT NOT NULL" : " TEXT")
                    }
                    let primaryKey = "PRIMARY KEY (\(keyColumns.map(\.sqlIdentifier).joined(separator: ", ")))"
                    // Clustered on the key (no rowid beside it): an upsert writes one b-tree, not a table and its key's index.
                    try db.execute(sql: "CREATE TABLE \(table.sqlIdentifier) (\((definitions + [primaryKey]).joined(separator: ", "))) WITHOUT ROWID")
                }
                // A column mapped since the table was made (an amendment added an item): added, empty for the
                // rows already there until a batch brings their value.
                let existing = try LocalDatabase.columns(db, table: table)
                for column in createColumns ?? [] where !existing.contains(column) && !keyColumns.contains(column) {
                    try db.execute(sql: "ALTER TABLE \(table.sqlIdentifier) ADD COLUMN \(column.sqlIdentifier) TEXT")
                }
                try db.execute(sql: """
                    CREATE TABLE IF NOT EXISTS \(Self.checkpointTable) (
                        stream TEXT PRIMARY KEY, sequence INTEGER NOT NULL, applied_at TEXT)
                    """)
                try db.execute(sql: """
                    CREATE TABLE IF NOT EXISTS \(DisputedKey.table) (
                        stream TEXT NOT NULL, key TEXT NOT NULL, objection TEXT NOT NULL, since TEXT NOT NULL, PRIMARY KEY (stream, objection))
                    """)
                return try LocalDatabase.columns(db, table: table)
            }
        }
        for column in createColumns ?? [] where !names.contains(column) {
            throw LocalDataError(location: location, reason: "existing table has no column \(column)")
        }
        columnNames = names
        var indexes: [Int] = []
        for column in keyColumns {
            guard let index = names.firstIndex(of: column) else {
                throw LocalDataError(location: location, reason: "key column \(column) is not in the table (\(names.joined(separator: ", ")))")
            }
            indexes.append(index)
        }
        keyIndexes = indexes

        let quotedColumns = names.map(\.sqlIdentifier)
        let quotedKeys = keyColumns.map(\.sqlIdentifier)
        let updates = names.filter { !keyColumns.contains($0) }
            .map { "\($0.sqlIdentifier) = excluded.\($0.sqlIdentifier)" }
        upsertSQL = """
            INSERT INTO \(table.sqlIdentifier) (\(quotedColumns.joined(separator: ", "))) \
            VALUES (\(Array(repeating: "?", count: names.count).joined(separator: ", "))) \
            ON CONFLICT (\(quotedKeys.joined(separator: ", "))) \
            DO \(updates.isEmpty ? "NOTHING" : "UPDATE SET " + updates.joined(separator: ", "))
            """
        deleteSQL = "DELETE FROM \(table.sqlIdentifier) WHERE "
            + quotedKeys.map { "\($0) = ?" }.joined(separator: " AND ")
        // The upsert only compiles when a PRIMARY KEY or UNIQUE index covers exactly the key columns.
        let upsertSQL = upsertSQL
        try LocalDataError.catching(
            at: location,
            while: "the upsert needs a PRIMARY KEY or UNIQUE index over exactly (\(keyColumns.joined(separator: ", ")))"
        ) {
            try queue.read { db in _ = try db.makeStatement(sql: upsertSQL) }
        }
    }

    public func columns() throws(LocalDataError) -> [String] {
        columnNames
    }

    public func checkpoint(stream: String) throws(LocalDataError) -> Int64? {
        try LocalDataError.catching(at: location, while: "cannot read checkpoint of stream \(stream)") {
            try queue.read { db in
                try Int64.fetchOne(db, sql: "SELECT sequence FROM \(Self.checkpointTable) WHERE stream = ?", arguments: [stream])
            }
        }
    }

    /// One IMMEDIATE transaction: the body's upserts and deletes, then the checkpoint; any throw rolls all
    /// of it back. A checkpoint not after the stored one is refused, so a resent batch is never applied twice
    /// and an old batch never overwrites newer data.
    public func apply(stream: String, checkpoint: Int64, _ body: (any SinkTransaction) throws -> Void) throws {
        try apply(stream: stream, checkpoint: checkpoint, body, alsoInTransaction: { _ in })
    }

    /// `apply`, running `extra` inside the same transaction just before commit (the CSV sink marks its
    /// export stale there).
    func apply(
        stream: String,
        checkpoint: Int64,
        _ body: (any SinkTransaction) throws -> Void,
        alsoInTransaction extra: (Database) throws -> Void
    ) throws {
        let disputes = pendingDisputes[stream]
        do {
            try queue.inDatabase { db in
                try db.inTransaction(.immediate) {
                    let stored = try Int64.fetchOne(
                        db, sql: "SELECT sequence FROM \(Self.checkpointTable) WHERE stream = ?", arguments: [stream])
                    if let stored, checkpoint <= stored {
                        throw LocalDataError(location: location,
                                             reason: "batch \(checkpoint) of stream \(stream) is not after its checkpoint \(stored); already applied")
                    }
                    let transaction = SQLiteSinkTransaction(
                        location: location,
                        columnNames: columnNames,
                        keyIndexes: keyIndexes,
                        upsert: try db.cachedStatement(sql: upsertSQL),
                        delete: try db.cachedStatement(sql: deleteSQL))
                    defer { transaction.close() }
                    do {
                        try body(transaction)
                    } catch {
                        throw PassThroughError(error)
                    }
                    try db.execute(
                        sql: """
                            INSERT INTO \(Self.checkpointTable) (stream, sequence, applied_at)
                            VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                            ON CONFLICT (stream) DO UPDATE SET sequence = excluded.sequence, applied_at = excluded.applied_at
                            """,
                        arguments: [stream, checkpoint])
                    if let disputes { try Self.replaceDisputes(of: stream, with: disputes, in: db) }
                    try extra(db)
                    return .commit
                }
            }
            pendingDisputes[stream] = nil
        } catch let error as PassThroughError {
            throw error.error
        } catch {
            throw LocalDataError.database(error, at: location, while: "cannot apply batch \(checkpoint) of stream \(stream)")
        }
    }

    public func expectDisputes(_ disputes: [DisputedKey], stream: String) {
        pendingDisputes[stream] = disputes
    }

    public func writePendingDisputes(stream: String) throws {
        guard let disputes = pendingDisputes[stream] else { return }
        try LocalDataError.catching(at: location, while: "cannot record the disputed keys of stream \(stream)") {
            try queue.inDatabase { db in
                try db.inTransaction(.immediate) {
                    try Self.replaceDisputes(of: stream, with: disputes, in: db)
                    return .commit
                }
            }
        }
        pendingDisputes[stream] = nil
    }

    /// The stream's disputed keys as `disputes` say: rows of objections no longer open go, new ones come.
    static func replaceDisputes(of stream: String, with disputes: [DisputedKey], in db: Database) throws {
        let kept = Set(try String.fetchAll(db, sql: "SELECT objection FROM \(DisputedKey.table) WHERE stream = ?", arguments: [stream]))
        let wanted = Set(disputes.map(\.objection))
        for objection in kept.subtracting(wanted) {
            try db.execute(sql: "DELETE FROM \(DisputedKey.table) WHERE stream = ? AND objection = ?", arguments: [stream, objection])
        }
        for dispute in disputes where !kept.contains(dispute.objection) {
            try db.execute(sql: "INSERT INTO \(DisputedKey.table) (stream, key, objection, since) VALUES (?, ?, ?, ?)",
                           arguments: [stream, dispute.key, dispute.objection, dispute.since])
        }
    }
}
