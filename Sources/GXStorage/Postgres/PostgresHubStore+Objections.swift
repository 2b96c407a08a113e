import GXDomain
import GXPostgres
import PostgresNIO

extension PostgresHubStore {
    func saveObjection(_ objection: Objection, expectedRevision: Int?, on connection: PostgresConnection) async throws {
        let document = try StoreCoding.encode(objection)
        if let expectedRevision {
            let updated = try await connection.query("""
                UPDATE objections SET state = \(objection.state.rawValue), revision = \(objection.revision), document = \(document)
                WHERE id = \(objection.id) AND revision = \(expectedRevision) RETURNING id
                """, logger: logger)
            if try await updated.collect().isEmpty { throw StoreError.conflict(what: "objection \(objection.id)") }
        } else {
            if try await exists("SELECT 1 FROM objections WHERE id = \(objection.id)", on: connection) {
                throw StoreError.duplicate(what: "objection \(objection.id)")
            }
            try await connection.run("""
                INSERT INTO objections (id, consumer, provider, agreement_id, resource_code, key_text, state, raised_at, deadline, revision, document)
                VALUES (\(objection.id), \(objection.consumer), \(objection.provider), \(objection.agreement), \(objection.resourceCode),
                        \(objection.keyText), \(objection.state.rawValue), \(objection.raisedAt), \(objection.deadline), \(objection.revision), \(document))
                """, logger: logger)
        }
    }

    public func objection(id: String) async throws -> Objection? {
        try await read { [self] connection in
            try await documents(connection.query("SELECT document FROM objections WHERE id = \(id)", logger: logger), as: Objection.self).first
        }
    }

    public func objections(matching query: ObjectionQuery) async throws -> [Objection] {
        var filter = PostgresFilter()
        if let party = query.party { filter.add("(provider = ? OR consumer = ?)", party) }
        if let consumer = query.consumer { filter.add("consumer = ?", consumer) }
        if let provider = query.provider { filter.add("provider = ?", provider) }
        if let agreement = query.agreement { filter.add("agreement_id = ?", agreement) }
        if let resource = query.resourceCode { filter.add("resource_code = ?", resource) }
        if let state = query.state { filter.add("state = ?", state.rawValue) }
        if query.flagged {
            let states = ObjectionQuery.flaggedStates.map { filter.bind($0) }.joined(separator: ", ")
            filter.add("state IN (\(states))")
        }
        if let overdueAt = query.overdueAt {
            let states = ObjectionQuery.awaitingStates.map { filter.bind($0) }.joined(separator: ", ")
            filter.add("deadline <= ? AND state IN (\(states))", overdueAt)
        }
        if let from = query.raisedFrom { filter.add("raised_at >= ?", from) }
        if let before = query.raisedBefore { filter.add("raised_at < ?", before) }
        let sql = "SELECT document FROM objections" + filter.whereClause + " ORDER BY id"
        let bindings = filter.bindings
        return try await read { [self] connection in
            try await documents(connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger), as: Objection.self)
        }
    }
}
