import GRDB

/// A consumer agency that wants a file: the received rows as a CSV at `path`, always a complete export.
///
/// Rows and checkpoints live in a side SQLite database (`path + ".gx.sqlite"`, through `SQLiteSink`), so
/// apply stays transactional. After a committed apply the CSV is rewritten — header, then rows ordered by
/// key (byte order), quoted where RFC 4180 needs it — into a temporary file that is fsynced and renamed
/// over `path`. Each apply bumps an export generation in the same transaction; a crash between commit and
/// rename leaves the export stale, and the next apply or `exportIfStale()` rewrites it.
public final class CSVSink: RecordSink {
    public let path: String
    public let keyColumns: [String]
    /// Whether `apply` rewrites the file itself. Rewriting is O(all rows), so an engine applying many batches
    /// per run may turn this off and call `exportIfStale()` once at the end.
    public let exportsAfterEachApply: Bool
    private let rows: SQLiteSink
    private let columnNames: [String]

    static let rowsTable = "gx_rows"
    static let exportTable = "gx_csv_export"

    var sidePath: String { path + ".gx.sqlite" }
    var temporaryPath: String { path + ".gx-export.tmp" }

    public init(path: String, keyColumns: [String], columns: [String], exportsAfterEachApply: Bool = true) throws(LocalDataError) {
        self.path = path
        self.keyColumns = keyColumns
        self.exportsAfterEachApply = exportsAfterEachApply
        rows = try SQLiteSink(path: path + ".gx.sqlite", table: Self.rowsTable, keyColumns: keyColumns, createColumns: columns)
        let stored = try rows.columns()
        guard stored == columns else {
            throw LocalDataError(location: path, reason: """
                side database \(path).gx.sqlite holds columns (\(stored.joined(separator: ", "))), \
                configured (\(columns.joined(separator: ", ")))
                """)
        }
        columnNames = columns
        let rows = rows
        try LocalDataError.catching(at: rows.location, while: "cannot prepare the export state") {
            try rows.queue.write { db in
                try db.execute(sql: """
                    CREATE TABLE IF NOT EXISTS \(Self.exportTable) (
                        id INTEGER PRIMARY KEY CHECK (id = 1), generation INTEGER NOT NULL, exported INTEGER NOT NULL);
                    INSERT OR IGNORE INTO \(Self.exportTable) (id, generation, exported) VALUES (1, 1, 0)
                    """)
            }
        }
    }

    public func columns() throws(LocalDataError) -> [String] {
        columnNames
    }

    public func checkpoint(stream: String) throws(LocalDataError) -> Int64? {
        try rows.checkpoint(stream: stream)
    }

    /// Disputed keys go to `gx_disputed` in the side database (`path + ".gx.sqlite"`); the CSV itself is unchanged.
    public func expectDisputes(_ disputes: [DisputedKey], stream: String) {
        rows.expectDisputes(disputes, stream: stream)
    }

    public func writePendingDisputes(stream: String) throws {
        try rows.writePendingDisputes(stream: stream)
    }

    public func apply(stream: String, checkpoint: Int64, _ body: (any SinkTransaction) throws -> Void) throws {
        try rows.apply(stream: stream, checkpoint: checkpoint, body) { db in
            try db.execute(sql: "UPDATE \(Self.exportTable) SET generation = generation + 1")
        }
        guard exportsAfterEachApply else { return }
        do {
            try export()
        } catch {
            // The batch is in: say so, or a caller would retry an apply that can no longer happen.
            throw LocalDataError(location: error.location, reason: """
                batch \(checkpoint) of stream \(stream) is committed, but rewriting the CSV failed \
                (exportIfStale() retries): \(error.reason)
                """)
        }
    }

    /// Rewrites the file when an apply committed after the last finished export, or the file is missing.
    /// Returns whether it wrote.
    @discardableResult
    public func exportIfStale() throws(LocalDataError) -> Bool {
        let stale = try LocalDataError.catching(at: rows.location, while: "cannot read the export state") {
            try rows.queue.read { db in
                try Bool.fetchOne(db, sql: "SELECT exported < generation FROM \(Self.exportTable)") ?? true
            }
        }
        guard stale || !POSIXFile.exists(path) else { return false }
        try export()
        return true
    }

    /// Writes every row to a temporary file, fsyncs it and renames it over `path`, from one read
    /// transaction, then records which generation the file holds.
    public func export() throws(LocalDataError) {
        let file = try POSIXFile.createForWriting(temporaryPath)
        let writer = CSVWriter(file: file)
        let columnNames = columnNames
        let rows = rows
        let generation = try LocalDataError.catching(at: rows.location, while: "cannot export to \(path)") {
            try rows.queue.read { db in
                let generation = try Int64.fetchOne(db, sql: "SELECT generation FROM \(Self.exportTable)") ?? 0
                try writer.writeRecord(columnNames)
                try rows.forEachRowOrderedByKey(db) { values throws(LocalDataError) in try writer.writeRecord(values) }
                return generation
            }
        }
        try writer.flush()
        try file.sync()
        try file.close()
        try POSIXFile.rename(temporaryPath, over: path)
        try POSIXFile.syncDirectory(containing: path)
        try LocalDataError.catching(at: rows.location, while: "cannot record the export") {
            try rows.queue.write { db in
                try db.execute(sql: "UPDATE \(Self.exportTable) SET exported = max(exported, ?)", arguments: [generation])
            }
        }
    }
}
