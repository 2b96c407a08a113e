import GRDB
import GXDomain

extension SQLiteHubStore {
    static func saveDemand(_ demand: SharingDemand, expectedRevision: Int?, in db: Database) throws {
        let document = try encode(demand)
        if let expectedRevision {
            try db.execute(sql: "UPDATE demands SET state = ?, deadline = ?, revision = ?, document = ? WHERE id = ? AND revision = ?",
                           arguments: [demand.state.rawValue, demand.deadline, demand.revision, document, demand.id, expectedRevision])
            if db.changesCount == 0 { throw StoreError.conflict(what: "demand \(demand.id)") }
        } else {
            if try Row.fetchOne(db, sql: "SELECT 1 FROM demands WHERE id = ?", arguments: [demand.id]) != nil {
                throw StoreError.duplicate(what: "demand \(demand.id)")
            }
            try db.execute(sql: """
                INSERT INTO demands (id, consumer, provider, resource_code, state, deadline, revision, document)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [demand.id, demand.consumer, demand.provider, demand.resourceCode, demand.state.rawValue,
                                 demand.deadline, demand.revision, document])
        }
    }

    public func demand(id: String) async throws -> SharingDemand? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT document FROM demands WHERE id = ?", arguments: [id]).map { try Self.decode(SharingDemand.self, $0) }
        }
    }

    public func demands(matching query: DemandQuery) async throws -> [SharingDemand] {
        var clauses: [String] = []
        var arguments: StatementArguments = []
        if let party = query.party { clauses.append("(provider = ? OR consumer = ?)"); arguments += [party, party] }
        if let consumer = query.consumer { clauses.append("consumer = ?"); arguments += [consumer] }
        if let provider = query.provider { clauses.append("provider = ?"); arguments += [provider] }
        if let resource = query.resourceCode { clauses.append("resource_code = ?"); arguments += [resource] }
        if let state = query.state { clauses.append("state = ?"); arguments += [state.rawValue] }
        if let overdueAt = query.overdueAt {
            clauses.append("deadline <= ? AND state IN (" + DemandQuery.openStates.map { _ in "?" }.joined(separator: ", ") + ")")
            arguments += [overdueAt]
            for state in DemandQuery.openStates { arguments += [state] }
        }
        let sql = "SELECT document FROM demands" + (clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")) + " ORDER BY id"
        let bound = arguments
        return try await pool.read { db in
            try String.fetchAll(db, sql: sql, arguments: bound).map { try Self.decode(SharingDemand.self, $0) }
        }
    }
}
