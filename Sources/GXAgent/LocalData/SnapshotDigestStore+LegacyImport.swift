import Foundation
import GRDB

extension SnapshotDigestStore {
    /// Moves `resource`'s snapshot out of the SQLite database agents kept before snapshot files, so the first
    /// pass after an upgrade compares with it — rather than sending every row again and missing the rows
    /// deleted since. The old table goes once its file is in place, and the database once it holds no
    /// snapshot: its freed pages would still hold the keys, which are personal identifiers.
    func importLegacySnapshot(resource: String, to path: String) throws(LocalDataError) {
        guard let legacyDatabase, POSIXFile.exists(legacyDatabase), !POSIXFile.exists(path) else { return }
        let queue = try LocalDatabase.open(path: legacyDatabase, location: legacyDatabase, mode: .durable)
        var remaining = 1
        try LocalDataError.catching(at: "\(legacyDatabase):\(resource)", while: "cannot move the snapshot into \(path)") {
            try queue.inDatabase { db in
                guard try db.tableExists("gx_snapshot_resources"),
                      let id = try Int64.fetchOne(db, sql: "SELECT id FROM gx_snapshot_resources WHERE resource = ?", arguments: [resource])
                else { return }
                let table = "gx_snapshot_\(id)"
                if try db.tableExists(table) {
                    let moving = path + ".import"
                    let writer = try SnapshotFileWriter(path: moving, kind: .sm3)
                    // SQLite's BINARY collation compares UTF-8 bytes, the order of snapshot files.
                    let rows = try Row.fetchCursor(db, sql: "SELECT key, digest FROM \(table.sqlIdentifier) ORDER BY key")
                    while let row = try rows.next() {
                        var key: String = row[0]
                        let digest: Data = row[1]
                        try key.withUTF8 { key in
                            try digest.withUnsafeBytes { digest in
                                try writer.append(key: UnsafeRawBufferPointer(key), digest: digest, line: UnsafeRawBufferPointer(start: nil, count: 0))
                            }
                        }
                    }
                    try writer.finish(durable: true)
                    try POSIXFile.rename(moving, over: path)
                    try POSIXFile.syncDirectory(containing: path)
                    try db.execute(sql: "DROP TABLE \(table.sqlIdentifier)")
                }
                try db.execute(sql: "DELETE FROM gx_snapshot_resources WHERE id = ?", arguments: [id])
                remaining = try Int.fetchOne(db, sql: "SELECT count(*) FROM gx_snapshot_resources") ?? 0
            }
        }
        guard remaining == 0 else { return }
        try LocalDataError.catching(at: legacyDatabase, while: "cannot remove the emptied snapshot database") {
            try queue.close()
            for suffix in ["", "-wal", "-shm", "-journal"] where POSIXFile.exists(legacyDatabase + suffix) {
                try FileManager.default.removeItem(atPath: legacyDatabase + suffix)
            }
        }
    }
}
