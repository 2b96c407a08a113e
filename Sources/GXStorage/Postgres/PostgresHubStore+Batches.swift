import GXDomain
import GXPostgres
import PostgresNIO

/// Batches, deliveries and receipts, kept as the exact canonical bytes that were signed (base64).
extension PostgresHubStore {
    func applyExchange(_ change: HubChange, on connection: PostgresConnection) async throws {
        switch change {
        case let .acceptBatch(batch):
            let m = batch.manifest
            if try await exists("SELECT 1 FROM batches WHERE resource_code = \(m.resourceCode) AND sequence = \(m.sequence)", on: connection) {
                throw StoreError.duplicate(what: "batch \(m.resourceCode)#\(m.sequence)")
            }
            // Checked again under the commit lock: another hub process may have taken the sequence since the
            // caller looked.
            let last = try await lastBatchSequence(resourceCode: m.resourceCode, on: connection)
            guard m.sequence == last + 1 else {
                throw StoreError.conflict(what: "batch sequence of \(m.resourceCode) (expected \(last + 1), got \(m.sequence))")
            }
            try await connection.run("""
                INSERT INTO batches (resource_code, sequence, provider, manifest, signature, manifest_sm3, accepted_at, payload)
                VALUES (\(m.resourceCode), \(m.sequence), \(m.provider), \(batch.manifestBase64), \(batch.signatureBase64),
                        \(batch.manifestSM3), \(batch.acceptedAt), \(batch.payloadPath))
                """, logger: logger)
            try await addBatchTotals(m, acceptedAt: batch.acceptedAt, on: connection)
            try await connection.run("SELECT pg_notify(\(Self.batchAcceptedChannel), \(m.resourceCode))", logger: logger)
        case let .recordDelivery(delivery):
            let inserted = try await connection.query("""
                INSERT INTO deliveries (agreement_id, sequence, manifest, signature, payload)
                VALUES (\(delivery.manifest.agreementID), \(delivery.manifest.sequence), \(delivery.manifestBase64),
                        \(delivery.signatureBase64), \(delivery.payloadPath))
                ON CONFLICT (agreement_id, sequence) DO NOTHING RETURNING sequence
                """, logger: logger).collect()
            if !inserted.isEmpty { try await addDeliveryTotals(delivery.manifest, on: connection) }
        case let .recordReceipt(stored):
            let r = stored.receipt
            if try await exists("SELECT 1 FROM receipts WHERE agreement_id = \(r.agreementID) AND sequence = \(r.sequence)", on: connection) {
                throw StoreError.duplicate(what: "receipt for \(r.agreementID)#\(r.sequence)")
            }
            try await connection.run("""
                INSERT INTO receipts (agreement_id, sequence, resource_code, receipt, signature, received_at)
                VALUES (\(r.agreementID), \(r.sequence), \(r.resourceCode), \(stored.receiptBase64), \(stored.signatureBase64), \(stored.receivedAt))
                """, logger: logger)
            try await addReceiptTotals(r, receivedAt: stored.receivedAt, on: connection)
        case let .pruneBatch(resourceCode, sequence):
            try await connection.run("UPDATE batches SET payload = NULL WHERE resource_code = \(resourceCode) AND sequence = \(sequence)", logger: logger)
            try await connection.run("""
                UPDATE deliveries SET payload = NULL
                WHERE sequence = \(sequence) AND agreement_id IN (SELECT id FROM agreements WHERE resource_code = \(resourceCode))
                """, logger: logger)
        default:
            preconditionFailure("not an exchange change: \(change)")
        }
    }

    func lastBatchSequence(resourceCode: String, on connection: PostgresConnection) async throws -> Int64 {
        for try await last in try await connection.query("""
            SELECT COALESCE(MAX(sequence), 0) FROM batches WHERE resource_code = \(resourceCode)
            """, logger: logger).decode(Int64.self) {
            return last
        }
        return 0
    }

    public func lastBatchSequence(resourceCode: String) async throws -> Int64 {
        try await read { [self] connection in try await lastBatchSequence(resourceCode: resourceCode, on: connection) }
    }

    public func batch(resourceCode: String, sequence: Int64) async throws -> StoredBatch? {
        try await read { [self] connection in
            try await connection.query("SELECT * FROM batches WHERE resource_code = \(resourceCode) AND sequence = \(sequence)", logger: logger)
                .collect().first.map(Self.batch(from:))
        }
    }

    public func batches(resourceCode: String, after: Int64, limit: Int) async throws -> [StoredBatch] {
        try await read { [self] connection in
            try await connection.query("""
                SELECT * FROM batches WHERE resource_code = \(resourceCode) AND sequence > \(after) ORDER BY sequence LIMIT \(limit)
                """, logger: logger).collect().map(Self.batch(from:))
        }
    }

    public func delivery(agreementID: String, sequence: Int64) async throws -> StoredDelivery? {
        try await read { [self] connection in
            guard let row = try await connection.query("""
                SELECT * FROM deliveries WHERE agreement_id = \(agreementID) AND sequence = \(sequence)
                """, logger: logger).collect().first?.makeRandomAccess() else { return nil }
            let base64 = try row["manifest"].decode(String.self)
            return StoredDelivery(manifest: try StoreCoding.decodeBase64(DeliveryManifest.self, base64), manifestBase64: base64,
                                  signatureBase64: try row["signature"].decode(String.self), payloadPath: try row["payload"].decode(String?.self))
        }
    }

    public func receipts(resourceCode: String, sequence: Int64?) async throws -> [StoredReceipt] {
        try await read { [self] connection in
            let rows = if let sequence {
                try await connection.query("""
                    SELECT * FROM receipts WHERE resource_code = \(resourceCode) AND sequence = \(sequence) ORDER BY agreement_id
                    """, logger: logger)
            } else {
                try await connection.query("SELECT * FROM receipts WHERE resource_code = \(resourceCode) ORDER BY sequence, agreement_id", logger: logger)
            }
            return try await rows.collect().map(Self.receipt(from:))
        }
    }

    public func receipt(agreementID: String, sequence: Int64) async throws -> StoredReceipt? {
        try await read { [self] connection in
            try await connection.query("SELECT * FROM receipts WHERE agreement_id = \(agreementID) AND sequence = \(sequence)", logger: logger)
                .collect().first.map(Self.receipt(from:))
        }
    }

    public func acknowledgedSequence(agreementID: String) async throws -> Int64 {
        try await read { [self] connection in
            for try await last in try await connection.query("""
                SELECT COALESCE(MAX(sequence), 0) FROM receipts WHERE agreement_id = \(agreementID)
                """, logger: logger).decode(Int64.self) {
                return last
            }
            return 0
        }
    }

    static func batch(from row: PostgresRow) throws -> StoredBatch {
        let row = row.makeRandomAccess()
        let base64 = try row["manifest"].decode(String.self)
        return StoredBatch(manifest: try StoreCoding.decodeBase64(BatchManifest.self, base64), manifestBase64: base64,
                           signatureBase64: try row["signature"].decode(String.self), manifestSM3: try row["manifest_sm3"].decode(String.self),
                           acceptedAt: try row["accepted_at"].decode(String.self), payloadPath: try row["payload"].decode(String?.self))
    }

    static func receipt(from row: PostgresRow) throws -> StoredReceipt {
        let row = row.makeRandomAccess()
        let base64 = try row["receipt"].decode(String.self)
        return StoredReceipt(receipt: try StoreCoding.decodeBase64(BatchReceipt.self, base64), receiptBase64: base64,
                             signatureBase64: try row["signature"].decode(String.self), receivedAt: try row["received_at"].decode(String.self))
    }
}
