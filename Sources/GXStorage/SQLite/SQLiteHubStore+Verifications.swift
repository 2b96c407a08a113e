import GRDB
import GXDomain

extension SQLiteHubStore {
    static func saveVerification(_ verification: StoredVerification, expectedRevision: Int?, in db: Database) throws {
        let document = try encode(verification)
        let (id, sequence) = (verification.agreementID, verification.sequence)
        if let expectedRevision {
            try db.execute(sql: "UPDATE verifications SET revision = ?, document = ? WHERE agreement_id = ? AND sequence = ? AND revision = ?",
                           arguments: [verification.revision, document, id, sequence, expectedRevision])
            if db.changesCount == 0 { throw StoreError.conflict(what: "verification \(id)#\(sequence)") }
        } else {
            if try Row.fetchOne(db, sql: "SELECT 1 FROM verifications WHERE agreement_id = ? AND sequence = ?", arguments: [id, sequence]) != nil {
                throw StoreError.duplicate(what: "verification \(id)#\(sequence)")
            }
            let last = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(sequence), 0) FROM verifications WHERE agreement_id = ?", arguments: [id]) ?? 0
            guard sequence == last + 1 else {
                throw StoreError.conflict(what: "verification sequence of \(id) (expected \(last + 1), got \(sequence))")
            }
            try db.execute(sql: "INSERT INTO verifications (agreement_id, sequence, revision, document) VALUES (?, ?, ?, ?)",
                           arguments: [id, sequence, verification.revision, document])
        }
    }

    public func lastVerificationSequence(agreementID: String) async throws -> Int64 {
        try await pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(sequence), 0) FROM verifications WHERE agreement_id = ?", arguments: [agreementID]) ?? 0
        }
    }

    public func verification(agreementID: String, sequence: Int64) async throws -> StoredVerification? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT document FROM verifications WHERE agreement_id = ? AND sequence = ?", arguments: [agreementID, sequence])
                .map { try Self.decode(StoredVerification.self, $0) }
        }
    }

    public func verifications(agreementID: String, after: Int64, limit: Int) async throws -> [StoredVerification] {
        try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT document FROM verifications WHERE agreement_id = ? AND sequence > ? ORDER BY sequence LIMIT ?",
                                arguments: [agreementID, after, limit])
                .map { try Self.decode(StoredVerification.self, $0) }
        }
    }
}
