import Foundation
import GRDB
import GXDomain

/// Batches, deliveries and receipts. Documents are kept as the exact canonical bytes that were signed
/// (base64), so they can be served and re-verified unchanged.
extension SQLiteHubStore {
    static func applyExchange(_ change: HubChange, in db: Database) throws {
        switch change {
        case let .acceptBatch(batch):
            let m = batch.manifest
            if try Row.fetchOne(db, sql: "SELECT 1 FROM batches WHERE resource_code = ? AND sequence = ?", arguments: [m.resourceCode, m.sequence]) != nil {
                throw StoreError.duplicate(what: "batch \(m.resourceCode)#\(m.sequence)")
            }
            let last = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(sequence), 0) FROM batches WHERE resource_code = ?", arguments: [m.resourceCode]) ?? 0
            guard m.sequence == last + 1 else {
                throw StoreError.conflict(what: "batch sequence of \(m.resourceCode) (expected \(last + 1), got \(m.sequence))")
            }
            try db.execute(sql: """
                INSERT INTO batches (resource_code, sequence, provider, manifest, signature, manifest_sm3, accepted_at, payload)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [m.resourceCode, m.sequence, m.provider, batch.manifestBase64, batch.signatureBase64,
                                 batch.manifestSM3, batch.acceptedAt, batch.payloadPath])
            try addBatchTotals(m, acceptedAt: batch.acceptedAt, in: db)
        case let .recordDelivery(delivery):
            try db.execute(sql: """
                INSERT INTO deliveries (agreement_id, sequence, manifest, signature, payload) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (agreement_id, sequence) DO NOTHING
                """, arguments: [delivery.manifest.agreementID, delivery.manifest.sequence, delivery.manifestBase64,
                                 delivery.signatureBase64, delivery.payloadPath])
            if db.changesCount > 0 { try addDeliveryTotals(delivery.manifest, in: db) }
        case let .recordReceipt(stored):
            let r = stored.receipt
            if try Row.fetchOne(db, sql: "SELECT 1 FROM receipts WHERE agreement_id = ? AND sequence = ?", arguments: [r.agreementID, r.sequence]) != nil {
                throw StoreError.duplicate(what: "receipt for \(r.agreementID)#\(r.sequence)")
            }
            try db.execute(sql: """
                INSERT INTO receipts (agreement_id, sequence, resource_code, receipt, signature, received_at) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [r.agreementID, r.sequence, r.resourceCode, stored.receiptBase64, stored.signatureBase64, stored.receivedAt])
            try addReceiptTotals(r, receivedAt: stored.receivedAt, in: db)
        case let .pruneBatch(resourceCode, sequence):
            try db.execute(sql: "UPDATE batches SET payload = NULL WHERE resource_code = ? AND sequence = ?", arguments: [resourceCode, sequence])
            try db.execute(sql: """
                UPDATE deliveries SET payload = NULL WHERE sequence = ? AND agreement_id IN (SELECT id FROM agreements WHERE resource_code = ?)
                """, arguments: [sequence, resourceCode])
        default:
            preconditionFailure("not an exchange change: \(change)")
        }
    }

    public func lastBatchSequence(resourceCode: String) async throws -> Int64 {
        try await pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM batches WHERE resource_code = ?", arguments: [resourceCode]) ?? 0
        }
    }

    public func batch(resourceCode: String, sequence: Int64) async throws -> StoredBatch? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM batches WHERE resource_code = ? AND sequence = ?", arguments: [resourceCode, sequence])
                .map(Self.batch(from:))
        }
    }

    public func batches(resourceCode: String, after: Int64, limit: Int) async throws -> [StoredBatch] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM batches WHERE resource_code = ? AND sequence > ? ORDER BY sequence LIMIT ?",
                             arguments: [resourceCode, after, limit]).map(Self.batch(from:))
        }
    }

    public func delivery(agreementID: String, sequence: Int64) async throws -> StoredDelivery? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM deliveries WHERE agreement_id = ? AND sequence = ?",
                                             arguments: [agreementID, sequence]) else { return nil }
            let base64: String = row["manifest"]
            return StoredDelivery(manifest: try Self.decodeBase64(DeliveryManifest.self, base64), manifestBase64: base64,
                                  signatureBase64: row["signature"], payloadPath: row["payload"])
        }
    }

    public func receipts(resourceCode: String, sequence: Int64?) async throws -> [StoredReceipt] {
        try await pool.read { db in
            let rows = if let sequence {
                try Row.fetchAll(db, sql: "SELECT * FROM receipts WHERE resource_code = ? AND sequence = ? ORDER BY agreement_id",
                                 arguments: [resourceCode, sequence])
            } else {
                try Row.fetchAll(db, sql: "SELECT * FROM receipts WHERE resource_code = ? ORDER BY sequence, agreement_id", arguments: [resourceCode])
            }
            return try rows.map(Self.receipt(from:))
        }
    }

    public func receipt(agreementID: String, sequence: Int64) async throws -> StoredReceipt? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM receipts WHERE agreement_id = ? AND sequence = ?", arguments: [agreementID, sequence])
                .map(Self.receipt(from:))
        }
    }

    public func acknowledgedSequence(agreementID: String) async throws -> Int64 {
        try await pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM receipts WHERE agreement_id = ?", arguments: [agreementID]) ?? 0
        }
    }

    static func batch(from row: Row) throws -> StoredBatch {
        let base64: String = row["manifest"]
        return StoredBatch(manifest: try decodeBase64(BatchManifest.self, base64), manifestBase64: base64,
                           signatureBase64: row["signature"], manifestSM3: row["manifest_sm3"],
                           acceptedAt: row["accepted_at"], payloadPath: row["payload"])
    }

    static func receipt(from row: Row) throws -> StoredReceipt {
        let base64: String = row["receipt"]
        return StoredReceipt(receipt: try decodeBase64(BatchReceipt.self, base64), receiptBase64: base64,
                             signatureBase64: row["signature"], receivedAt: row["received_at"])
    }

    static func decodeBase64<T: Decodable>(_ type: T.Type, _ base64: String) throws -> T { try StoreCoding.decodeBase64(type, base64) }
}

