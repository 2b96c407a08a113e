import Foundation
import GRDB

/// One pass over a resource's source compared with its last accepted snapshot.
///
/// `observe` classifies each row and stages its digest; `forEachDeleted` streams the keys the pass did not
/// see; `commit` makes the pass the accepted snapshot. Until `commit` the previous snapshot stays, so a pass
/// that fails or crashes is simply diffed again next run. Callbacks must not call back into the store.
public final class SnapshotDiff {
    public let resource: String
    private let store: SnapshotDigestStore
    private let pass: Int64
    private let id: Int64
    private let snapshotTable: String
    private let stagingTable: String
    private let retiredTable: String
    private var observedCount = 0
    private var isCommitted = false
    /// Prepared once, reused for every row (they live as long as the store's connection).
    private var lookupStatement: Statement?
    private var insertStatement: Statement?

    static let digestLength = 32

    init(store: SnapshotDigestStore, resource: String, id: Int64, pass: Int64) {
        self.store = store
        self.resource = resource
        self.id = id
        self.pass = pass
        snapshotTable = SnapshotDigestStore.snapshotTable(id: id).sqlIdentifier
        stagingTable = SnapshotDigestStore.stagingTable(id: id, pass: pass).sqlIdentifier
        retiredTable = SnapshotDigestStore.retiredTable(id: id, pass: pass).sqlIdentifier
    }

    private var location: String { store.location(resource) }

    /// Classifies one source row by its key (joined key values) and digest. A key observed twice in one
    /// pass → LocalDataError (duplicate key, naming it).
    public func observe(key: [String], digest: [UInt8]) throws(LocalDataError) -> SnapshotChange {
        try requireOpen()
        guard !key.isEmpty else { throw LocalDataError(location: location, reason: "observed an empty key") }
        guard digest.count == Self.digestLength else {
            throw LocalDataError(location: location,
                                 reason: "digest of key \(key.joined(separator: "|")) has \(digest.count) bytes, expected \(Self.digestLength)")
        }
        let encoded = SnapshotKey.encode(key)
        let blob = Data(digest)
        let previous: Data?
        do {
            previous = try store.batchedWrite { db in
                let lookup = try lookupStatement ?? db.makeStatement(sql: "SELECT digest FROM \(snapshotTable) WHERE key = ?")
                let insert = try insertStatement ?? db.makeStatement(sql: "INSERT INTO \(stagingTable) (key, digest) VALUES (?, ?)")
                lookupStatement = lookup
                insertStatement = insert
                lookup.setUncheckedArguments([encoded])
                let previous = try Data.fetchOne(lookup)
                insert.setUncheckedArguments([encoded, blob])
                try insert.execute()
                return previous
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw LocalDataError(location: location, reason: "duplicate key \(key.joined(separator: "|")) in one pass")
        } catch {
            throw failure(error, while: "cannot stage key \(key.joined(separator: "|"))")
        }
        observedCount += 1
        guard let previous else { return .inserted }
        return previous == blob ? .unchanged : .updated
    }

    /// Keys in the last accepted snapshot that this pass did not observe (→ tombstones), streamed.
    public func forEachDeleted(_ body: ([String]) throws -> Void) throws {
        try requireOpen()
        try store.flush()
        do {
            try store.queue.inDatabase { db in
                let keys = try String.fetchCursor(db, sql: """
                    SELECT s.key FROM \(snapshotTable) AS s
                    WHERE NOT EXISTS (SELECT 1 FROM \(stagingTable) AS t WHERE t.key = s.key)
                    """)
                while let key = try keys.next() {
                    do {
                        try body(SnapshotKey.decode(key))
                    } catch {
                        throw PassThroughError(error)
                    }
                }
            }
        } catch let error as PassThroughError {
            throw error.error
        } catch {
            throw failure(error, while: "cannot list deleted keys")
        }
    }

    /// Makes this pass the accepted snapshot — the agent calls it only after the hub accepted every batch
    /// of the pass. Until then the previous snapshot stays (a crash mid-pass means the next run diffs again).
    public func commit() throws(LocalDataError) {
        try requireOpen()
        try store.flush()
        // Finalize first: SQLite refuses to rename or drop a table while statements on it are pending.
        lookupStatement = nil
        insertStatement = nil
        let staging = SnapshotDigestStore.stagingTable(id: id, pass: pass)
        do {
            try store.queue.inDatabase { db in
                // The swap is the one write that must survive a power cut once the hub has accepted the pass.
                try db.execute(sql: "PRAGMA synchronous = FULL")
                defer { try? db.execute(sql: "PRAGMA synchronous = NORMAL") }
                try db.inTransaction(.immediate) {
                    let current = try Int64.fetchOne(
                        db, sql: "SELECT pass FROM \(SnapshotDigestStore.resourcesTable) WHERE id = ?", arguments: [id])
                    guard current == pass else { throw supersededError }
                    try db.execute(sql: "ALTER TABLE \(snapshotTable) RENAME TO \(retiredTable)")
                    try db.execute(sql: "ALTER TABLE \(stagingTable) RENAME TO \(snapshotTable)")
                    try db.execute(sql: "UPDATE \(SnapshotDigestStore.resourcesTable) SET row_count = ? WHERE id = ?",
                                   arguments: [observedCount, id])
                    return .commit
                }
            }
        } catch {
            throw failure(error, while: "cannot accept the pass (staging table \(staging))")
        }
        isCommitted = true
        // Cleanup only: if it fails, the next `beginDiff` drops the retired table.
        try? store.queue.inDatabase { db in try db.execute(sql: "DROP TABLE IF EXISTS \(retiredTable)") }
    }

    private func requireOpen() throws(LocalDataError) {
        guard !isCommitted else {
            throw LocalDataError(location: location, reason: "this pass was already committed; begin a new one")
        }
    }

    private var supersededError: LocalDataError {
        LocalDataError(location: location, reason: "a newer pass over this resource has begun; this one is abandoned")
    }

    /// A vanished staging table means `beginDiff` started another pass and dropped this one's.
    private func failure(_ error: any Error, while action: String) -> LocalDataError {
        if let error = error as? DatabaseError, error.message?.hasPrefix("no such table") == true {
            return supersededError
        }
        return .database(error, at: location, while: action)
    }
}
