import Foundation
import GRDB

/// What an agent remembers between runs, in `state_dir/agent.sqlite`: batches spooled but not yet
/// accepted (resent with the very same manifest after a crash), cursor checkpoints, snapshot
/// generations, and receipts not yet confirmed by the hub.
final class AgentState: Sendable {
    let queue: DatabaseQueue

    init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        queue = try DatabaseQueue(path: directory + "/agent.sqlite")
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-agent-state") { db in
            try db.execute(sql: """
                CREATE TABLE pending_batches (
                    resource TEXT NOT NULL,
                    sequence INTEGER NOT NULL,
                    manifest TEXT NOT NULL,
                    signature TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    cursor_to TEXT,
                    PRIMARY KEY (resource, sequence)
                );
                CREATE TABLE cursors (resource TEXT PRIMARY KEY, cursor TEXT NOT NULL);
                CREATE TABLE generations (resource TEXT PRIMARY KEY, generation INTEGER NOT NULL);
                CREATE TABLE receipts (
                    agreement TEXT NOT NULL,
                    sequence INTEGER NOT NULL,
                    receipt TEXT NOT NULL,
                    signature TEXT NOT NULL,
                    PRIMARY KEY (agreement, sequence)
                );
                """)
        }
        // A snapshot-mode batch the hub accepted stays (with its payload) until its pass's snapshot moves, so a
        // pass that stops half-way is folded into the snapshot rather than sent again.
        migrator.registerMigration("v2-accepted-awaiting-snapshot") { db in
            try db.execute(sql: "ALTER TABLE pending_batches ADD COLUMN accepted INTEGER NOT NULL DEFAULT 0")
        }
        try migrator.migrate(queue)
    }

    struct PendingBatch {
        var resource: String
        var sequence: Int64
        var manifestBase64: String
        var signatureBase64: String
        var payload: String
        var cursorTo: String?
    }

    func addPending(_ batch: PendingBatch) throws {
        try queue.write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO pending_batches (resource, sequence, manifest, signature, payload, cursor_to, accepted)
                VALUES (?, ?, ?, ?, ?, ?, 0)
                """,
                           arguments: [batch.resource, batch.sequence, batch.manifestBase64, batch.signatureBase64, batch.payload, batch.cursorTo])
        }
    }

    /// Batches spooled and not yet accepted by the hub.
    func pending(resource: String) throws -> [PendingBatch] {
        try batches(resource: resource, accepted: false)
    }

    /// Snapshot-mode batches the hub accepted from a pass whose snapshot has not moved yet.
    func acceptedAwaitingSnapshot(resource: String) throws -> [PendingBatch] {
        try batches(resource: resource, accepted: true)
    }

    private func batches(resource: String, accepted: Bool) throws -> [PendingBatch] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM pending_batches WHERE resource = ? AND accepted = ? ORDER BY sequence",
                             arguments: [resource, accepted ? 1 : 0]).map {
                PendingBatch(resource: $0["resource"], sequence: $0["sequence"], manifestBase64: $0["manifest"],
                             signatureBase64: $0["signature"], payload: $0["payload"], cursorTo: $0["cursor_to"])
            }
        }
    }

    /// The hub accepted a batch: forget it and, in cursor mode, move the checkpoint in the same transaction —
    /// or, when `awaitingSnapshot` (snapshot mode), keep it as accepted until its pass's snapshot moves.
    func accepted(_ batch: PendingBatch, awaitingSnapshot: Bool = false) throws {
        try queue.write { db in
            if awaitingSnapshot {
                try db.execute(sql: "UPDATE pending_batches SET accepted = 1 WHERE resource = ? AND sequence = ?", arguments: [batch.resource, batch.sequence])
            } else {
                try db.execute(sql: "DELETE FROM pending_batches WHERE resource = ? AND sequence = ?", arguments: [batch.resource, batch.sequence])
            }
            if let cursor = batch.cursorTo {
                try db.execute(sql: "INSERT OR REPLACE INTO cursors VALUES (?, ?)", arguments: [batch.resource, cursor])
            }
        }
    }

    /// The snapshot holds these accepted batches now: forget them (their payloads are the caller's to remove).
    func forgetAccepted(_ batches: [PendingBatch]) throws {
        try queue.write { db in
            for batch in batches {
                try db.execute(sql: "DELETE FROM pending_batches WHERE resource = ? AND sequence = ? AND accepted = 1",
                               arguments: [batch.resource, batch.sequence])
            }
        }
    }

    func cursor(resource: String) throws -> String? {
        try queue.read { try String.fetchOne($0, sql: "SELECT cursor FROM cursors WHERE resource = ?", arguments: [resource]) }
    }

    func resetCursor(resource: String) throws {
        try queue.write { try $0.execute(sql: "DELETE FROM cursors WHERE resource = ?", arguments: [resource]) }
    }

    /// Numbers snapshot passes: the next generation of `resource`.
    func nextGeneration(resource: String) throws -> Int64 {
        try queue.write { db in
            let next = (try Int64.fetchOne(db, sql: "SELECT generation FROM generations WHERE resource = ?", arguments: [resource]) ?? 0) + 1
            try db.execute(sql: "INSERT OR REPLACE INTO generations VALUES (?, ?)", arguments: [resource, next])
            return next
        }
    }

    func saveReceipt(agreement: String, sequence: Int64, receiptBase64: String, signatureBase64: String) throws {
        try queue.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO receipts VALUES (?, ?, ?, ?)", arguments: [agreement, sequence, receiptBase64, signatureBase64])
        }
    }

    func receipt(agreement: String, sequence: Int64) throws -> (receipt: String, signature: String)? {
        try queue.read { db in
            try Row.fetchOne(db, sql: "SELECT receipt, signature FROM receipts WHERE agreement = ? AND sequence = ?", arguments: [agreement, sequence])
                .map { ($0["receipt"], $0["signature"]) }
        }
    }
}
