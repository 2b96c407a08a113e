import GRDB
import GXDomain

extension SQLiteHubStore {
    static func saveObjection(_ objection: Objection, expectedRevision: Int?, in db: Database) throws {
        let document = try encode(objection)
        if let expectedRevision {
            try db.execute(sql: "UPDATE objections SET state = ?, revision = ?, document = ? WHERE id = ? AND revision = ?",
                           arguments: [objection.state.rawValue, objection.revision, document, objection.id, expectedRevision])
            if db.changesCount == 0 { throw StoreError.conflict(what: "objection \(objection.id)") }
        } else {
            if try Row.fetchOne(db, sql: "SELECT 1 FROM objections WHERE id = ?", arguments: [objection.id]) != nil {
                throw StoreError.duplicate(what: "objection \(objection.id)")
            }
            try db.execute(sql: """
                INSERT INTO objections (id, consumer, provider, agreement_id, resource_code, key_text, state, raised_at, deadline, revision, document)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [objection.id, objection.consumer, objection.provider, objection.agreement, objection.resourceCode,
                                 objection.keyText, objection.state.rawValue, objection.raisedAt, objection.deadline, objection.revision, document])
        }
    }

    public func objection(id: String) async throws -> Objection? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT document FROM objections WHERE id = ?", arguments: [id]).map { try Self.decode(Objection.self, $0) }
        }
    }

    public func objections(matching query: ObjectionQuery) async throws -> [Objection] {
        var clauses: [String] = []
        var arguments: StatementArguments = []
        func among(_ states: [String]) -> String { "state IN (" + states.map { _ in "?" }.joined(separator: ", ") + ")" }
        if let party = query.party { clauses.append("(provider = ? OR consumer = ?)"); arguments += [party, party] }
        if let consumer = query.consumer { clauses.append("consumer = ?"); arguments += [consumer] }
        if let provider = query.provider { clauses.append("provider = ?"); arguments += [provider] }
        if let agreement = query.agreement { clauses.append("agreement_id = ?"); arguments += [agreement] }
        if let resource = query.resourceCode { clauses.append("resource_code = ?"); arguments += [resource] }
        if let state = query.state { clauses.append("state = ?"); arguments += [state.rawValue] }
        if query.flagged {
            clauses.append(among(ObjectionQuery.flaggedStates))
            for state in ObjectionQuery.flaggedStates { arguments += [state] }
        }
        if let overdueAt = query.overdueAt {
            clauses.append("deadline <= ? AND " + among(ObjectionQuery.awaitingStates))
            arguments += [overdueAt]
            for state in ObjectionQuery.awaitingStates { arguments += [state] }
        }
        if let from = query.raisedFrom { clauses.append("raised_at >= ?"); arguments += [from] }
        if let before = query.raisedBefore { clauses.append("raised_at < ?"); arguments += [before] }
        let sql = "SELECT document FROM objections" + (clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")) + " ORDER BY id"
        let bound = arguments
        return try await pool.read { db in
            try String.fetchAll(db, sql: sql, arguments: bound).map { try Self.decode(Objection.self, $0) }
        }
    }
}
