import GRDB

/// Opens the SQLite files behind sources, sinks and the digest store with the same settings: one connection
/// per object (the objects are used from one task), a busy timeout so an agency's own writers don't make us
/// fail at once, and WAL for the files we write so readers of the agency's tables are never blocked.
enum LocalDatabase {
    enum Mode {
        /// Someone else's database: never written, never created.
        case readOnly
        /// Our own writes, durable at each commit (`synchronous = FULL`).
        case durable
        /// Bulk state that can be rebuilt; made durable explicitly where it matters (`synchronous = NORMAL`).
        case bulk
    }

    static func open(path: String, location: String, mode: Mode) throws(LocalDataError) -> DatabaseQueue {
        if mode == .readOnly, !POSIXFile.exists(path) {
            throw LocalDataError(location: location, reason: "no such database file")
        }
        var configuration = Configuration()
        configuration.readonly = mode == .readOnly
        configuration.busyMode = .timeout(10)
        configuration.label = "gongxiang-localdata"
        // The digest store keeps a staging transaction open across `observe` calls.
        configuration.allowsUnsafeTransactions = mode == .bulk
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw .database(error, at: location, while: "cannot open SQLite database")
        }
        guard mode != .readOnly else { return queue }
        try LocalDataError.catching(at: location, while: "cannot switch to WAL mode") {
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA journal_mode = WAL")
                try db.execute(sql: mode == .durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")
                // Upserts and lookups land at random keys; 32 MiB keeps the upper B-tree levels cached.
                try db.execute(sql: "PRAGMA cache_size = -32768")
            }
        }
        return queue
    }
}

extension LocalDatabase {
    /// The column names of a table or view (`PRAGMA table_info`, name bound as a value so any name is
    /// safe); empty when there is no such table.
    static func columns(_ db: Database, table: String) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?) ORDER BY cid", arguments: [table])
    }
}
