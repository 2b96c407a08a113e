import GXDomain
import GXPostgres
import PostgresNIO

extension PostgresHubStore {
    func saveDemand(_ demand: SharingDemand, expectedRevision: Int?, on connection: PostgresConnection) async throws {
        let document = try StoreCoding.encode(demand)
        if let expectedRevision {
            let updated = try await connection.query("""
                UPDATE demands SET state = \(demand.state.rawValue), deadline = \(demand.deadline), revision = \(demand.revision), document = \(document)
                WHERE id = \(demand.id) AND revision = \(expectedRevision) RETURNING id
                """, logger: logger)
            if try await updated.collect().isEmpty { throw StoreError.conflict(what: "demand \(demand.id)") }
        } else {
            if try await exists("SELECT 1 FROM demands WHERE id = \(demand.id)", on: connection) {
                throw StoreError.duplicate(what: "demand \(demand.id)")
            }
            try await connection.run("""
                INSERT INTO demands (id, consumer, provider, resource_code, state, deadline, revision, document)
                VALUES (\(demand.id), \(demand.consumer), \(demand.provider), \(demand.resourceCode), \(demand.state.rawValue),
                        \(demand.deadline), \(demand.revision), \(document))
                """, logger: logger)
        }
    }

    public func demand(id: String) async throws -> SharingDemand? {
        try await read { [self] connection in
            try await documents(connection.query("SELECT document FROM demands WHERE id = \(id)", logger: logger), as: SharingDemand.self).first
        }
    }

    public func demands(matching query: DemandQuery) async throws -> [SharingDemand] {
        var filter = PostgresFilter()
        if let party = query.party { filter.add("(provider = ? OR consumer = ?)", party) }
        if let consumer = query.consumer { filter.add("consumer = ?", consumer) }
        if let provider = query.provider { filter.add("provider = ?", provider) }
        if let resource = query.resourceCode { filter.add("resource_code = ?", resource) }
        if let state = query.state { filter.add("state = ?", state.rawValue) }
        if let overdueAt = query.overdueAt {
            let states = DemandQuery.openStates.map { filter.bind($0) }.joined(separator: ", ")
            filter.add("deadline <= ? AND state IN (\(states))", overdueAt)
        }
        let sql = "SELECT document FROM demands" + filter.whereClause + " ORDER BY id"
        let bindings = filter.bindings
        return try await read { [self] connection in
            try await documents(connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger), as: SharingDemand.self)
        }
    }
}
