import GXDomain
import GXPostgres
import PostgresNIO

extension PostgresHubStore {
    func saveVerification(_ verification: StoredVerification, expectedRevision: Int?, on connection: PostgresConnection) async throws {
        let document = try StoreCoding.encode(verification)
        let (id, sequence) = (verification.agreementID, verification.sequence)
        if let expectedRevision {
            let updated = try await connection.query("""
                UPDATE verifications SET revision = \(verification.revision), document = \(document)
                WHERE agreement_id = \(id) AND sequence = \(sequence) AND revision = \(expectedRevision) RETURNING sequence
                """, logger: logger)
            if try await updated.collect().isEmpty { throw StoreError.conflict(what: "verification \(id)#\(sequence)") }
        } else {
            if try await exists("SELECT 1 FROM verifications WHERE agreement_id = \(id) AND sequence = \(sequence)", on: connection) {
                throw StoreError.duplicate(what: "verification \(id)#\(sequence)")
            }
            let last = try await lastVerificationSequence(agreementID: id, on: connection)
            guard sequence == last + 1 else {
                throw StoreError.conflict(what: "verification sequence of \(id) (expected \(last + 1), got \(sequence))")
            }
            try await connection.run("""
                INSERT INTO verifications (agreement_id, sequence, revision, document)
                VALUES (\(id), \(sequence), \(verification.revision), \(document))
                """, logger: logger)
        }
    }

    func lastVerificationSequence(agreementID: String, on connection: PostgresConnection) async throws -> Int64 {
        for try await last in try await connection.query("""
            SELECT COALESCE(MAX(sequence), 0)::BIGINT FROM verifications WHERE agreement_id = \(agreementID)
            """, logger: logger).decode(Int64.self) {
            return last
        }
        return 0
    }

    public func lastVerificationSequence(agreementID: String) async throws -> Int64 {
        try await read { [self] connection in try await lastVerificationSequence(agreementID: agreementID, on: connection) }
    }

    public func verification(agreementID: String, sequence: Int64) async throws -> StoredVerification? {
        try await read { [self] connection in
            try await documents(connection.query("""
                SELECT document FROM verifications WHERE agreement_id = \(agreementID) AND sequence = \(sequence)
                """, logger: logger), as: StoredVerification.self).first
        }
    }

    public func verifications(agreementID: String, after: Int64, limit: Int) async throws -> [StoredVerification] {
        try await read { [self] connection in
            try await documents(connection.query("""
                SELECT document FROM verifications WHERE agreement_id = \(agreementID) AND sequence > \(after) ORDER BY sequence LIMIT \(limit)
                """, logger: logger), as: StoredVerification.self)
        }
    }
}
