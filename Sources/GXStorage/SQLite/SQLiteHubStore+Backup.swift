import Foundation
import GRDB

extension SQLiteHubStore {
    /// Copies the database to a new file with SQLite's online backup API, from one read snapshot: the copy
    /// is consistent while hub processes keep writing, and they are never blocked. The copy is mode 0600
    /// (it holds credential hashes) and in rollback-journal mode, a single self-contained file. Returns the
    /// number of audit entries the copy holds.
    @discardableResult
    public func backup(to path: String, progress: @escaping (_ copiedPages: Int, _ totalPages: Int) -> Void = { _, _ in }) throws -> Int64 {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw StoreError.duplicate(what: "\(path) (a backup never overwrites a file)")
        }
        let previousMask = umask(0o077)
        defer { umask(previousMask) }
        do {
            let copy = try DatabaseQueue(path: path)
            try pool.backup(to: copy, pagesPerStep: 4096) { step in
                progress(step.completedPageCount, step.totalPageCount)
            }
            let entries = try copy.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA journal_mode = DELETE")
                guard try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok" else {
                    throw StoreError.unavailable(reason: "the copy at \(path) failed SQLite's integrity check")
                }
                return try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM audit_entries") ?? 0
            }
            try copy.close()
            return entries
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
    }
}
