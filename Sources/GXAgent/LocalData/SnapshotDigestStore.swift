import GRDB

/// The agent's memory of the last accepted snapshot of each resource read by snapshot diff (sources with
/// no trustworthy cursor, such as export files): key → 32-byte record digest, in SQLite in the state dir.
///
/// Each resource's snapshot is its own WITHOUT ROWID table; a pass writes a fresh staging table beside it
/// and `SnapshotDiff.commit()` swaps the staging table in by renaming, so accepting a 10-million-row pass
/// costs two renames rather than a copy (the retired table is dropped after the swap). Staging writes are
/// grouped in large transactions; memory stays flat. Not thread-safe: use the store and its diffs from one
/// task.
public final class SnapshotDigestStore {
    public let path: String
    let queue: DatabaseQueue
    /// Staging writes since the open batch transaction began.
    private var pendingWrites = 0

    /// Staging rows per transaction: large enough that commits cost nothing next to the rows.
    static let batchSize = 50_000
    static let resourcesTable = "gx_snapshot_resources"

    public init(path: String) throws(LocalDataError) {
        self.path = path
        queue = try LocalDatabase.open(path: path, location: path, mode: .bulk)
        try LocalDataError.catching(at: path, while: "cannot prepare the digest store") {
            try queue.inDatabase { db in
                // Debian's SQLite zeroes every freed page by default; retiring a 10-million-row snapshot
                // would then write it all again. FAST still wipes deleted cells where it costs no I/O.
                try db.execute(sql: "PRAGMA secure_delete = FAST")
                try db.execute(sql: """
                    CREATE TABLE IF NOT EXISTS \(Self.resourcesTable) (
                        resource TEXT PRIMARY KEY,
                        id INTEGER NOT NULL UNIQUE,
                        pass INTEGER NOT NULL,
                        row_count INTEGER NOT NULL)
                    """)
            }
        }
    }

    deinit {
        try? flush()
    }

    /// Starts comparing a new pass over `resource`'s source with its last accepted snapshot.
    ///
    /// Abandons any earlier unfinished pass over the same resource (its `SnapshotDiff` then fails).
    public func beginDiff(resource: String) throws(LocalDataError) -> SnapshotDiff {
        guard !resource.isEmpty else { throw LocalDataError(location: path, reason: "resource name is empty") }
        try flush()
        let (id, pass) = try LocalDataError.catching(at: location(resource), while: "cannot begin a pass") {
            try queue.inDatabase { db in
                try db.inTransaction(.immediate) {
                    try self.beginPass(db, resource: resource)
                }
                let row = try Row.fetchOne(db, sql: "SELECT id, pass FROM \(Self.resourcesTable) WHERE resource = ?",
                                           arguments: [resource])
                guard let row else { throw LocalDataError(location: self.location(resource), reason: "resource vanished") }
                return (row["id"] as Int64, row["pass"] as Int64)
            }
        }
        return SnapshotDiff(store: self, resource: resource, id: id, pass: pass)
    }

    /// Number of keys in the last accepted snapshot.
    public func count(resource: String) throws(LocalDataError) -> Int {
        try LocalDataError.catching(at: location(resource), while: "cannot count the snapshot") {
            try queue.inDatabase { db in
                try Int.fetchOne(db, sql: "SELECT row_count FROM \(Self.resourcesTable) WHERE resource = ?",
                                 arguments: [resource]) ?? 0
            }
        }
    }

    private func beginPass(_ db: Database, resource: String) throws -> Database.TransactionCompletion {
        var id = try Int64.fetchOne(db, sql: "SELECT id FROM \(Self.resourcesTable) WHERE resource = ?", arguments: [resource])
        if id == nil {
            let next = try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) + 1 FROM \(Self.resourcesTable)") ?? 1
            try db.execute(sql: "INSERT INTO \(Self.resourcesTable) (resource, id, pass, row_count) VALUES (?, ?, 0, 0)",
                           arguments: [resource, next])
            id = next
        }
        guard let id else { return .rollback }
        try db.execute(sql: "UPDATE \(Self.resourcesTable) SET pass = pass + 1 WHERE id = ?", arguments: [id])
        let pass = try Int64.fetchOne(db, sql: "SELECT pass FROM \(Self.resourcesTable) WHERE id = ?", arguments: [id]) ?? 0
        try Self.dropLeftovers(db, id: id)
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS \(Self.snapshotTable(id: id).sqlIdentifier) (
                key TEXT PRIMARY KEY, digest BLOB NOT NULL) WITHOUT ROWID
            """)
        try db.execute(sql: """
            CREATE TABLE \(Self.stagingTable(id: id, pass: pass).sqlIdentifier) (
                key TEXT PRIMARY KEY, digest BLOB NOT NULL) WITHOUT ROWID
            """)
        return .commit
    }

    /// Drops an abandoned pass's staging table and a snapshot retired by a commit whose cleanup did not run.
    static func dropLeftovers(_ db: Database, id: Int64) throws {
        let leftovers = try String.fetchAll(
            db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND (name GLOB ? OR name GLOB ?)",
            arguments: ["\(stagingPrefix(id: id))*", "\(retiredPrefix(id: id))*"])
        for table in leftovers {
            try db.execute(sql: "DROP TABLE \(table.sqlIdentifier)")
        }
    }

    /// Runs one staging write inside the open batch transaction, committing every `batchSize` writes.
    func batchedWrite<T>(_ operation: (Database) throws -> T) throws -> T {
        try queue.inDatabase { db in
            if !db.isInsideTransaction {
                try db.beginTransaction(.immediate)
                pendingWrites = 0
            }
            let result = try operation(db)
            pendingWrites += 1
            if pendingWrites >= Self.batchSize {
                try db.commit()
                pendingWrites = 0
            }
            return result
        }
    }

    /// Commits the open batch transaction, if any, before work that needs its own transaction.
    func flush() throws(LocalDataError) {
        try LocalDataError.catching(at: path, while: "cannot commit staged digests") {
            try queue.inDatabase { db in
                if db.isInsideTransaction { try db.commit() }
                pendingWrites = 0
            }
        }
    }

    func location(_ resource: String) -> String {
        "\(path):\(resource)"
    }

    static func snapshotTable(id: Int64) -> String {
        "gx_snapshot_\(id)"
    }

    static func stagingPrefix(id: Int64) -> String {
        "gx_staging_\(id)_"
    }

    static func stagingTable(id: Int64, pass: Int64) -> String {
        stagingPrefix(id: id) + String(pass)
    }

    static func retiredPrefix(id: Int64) -> String {
        "gx_retired_\(id)_"
    }

    static func retiredTable(id: Int64, pass: Int64) -> String {
        retiredPrefix(id: id) + String(pass)
    }
}
