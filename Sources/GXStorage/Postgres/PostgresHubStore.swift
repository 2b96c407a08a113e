import Foundation
import GXDomain
import GXPostgres
import Logging
import PostgresNIO
import ServiceLifecycle

/// The production hub store: PostgreSQL, shared by any number of hub processes.
///
/// Every commit takes one transaction-scoped advisory lock before it touches anything, so commits from all
/// processes are serialised by the database exactly as SQLite serialises its writers: the audit chain cannot
/// fork, a batch sequence cannot be taken twice, and an agreement moves from one revision to the next only.
/// Reads take no lock. The connection pool runs as a `Service` (`run()`), or around a body (`withStore`).
public final class PostgresHubStore: HubStore, Service {
    public let settings: PostgresSettings
    let client: PostgresClient
    let logger: Logger
    /// Finishes once `run()` has started the pool, so `prepare()` never leases from a pool not yet running.
    private let started: AsyncStream<Void>
    private let startedContinuation: AsyncStream<Void>.Continuation

    /// Advisory lock keys (arbitrary constants, "gx" + purpose) held for the length of a transaction.
    static let commitLock: Int64 = 0x6778_0001
    static let migrationLock: Int64 = 0x6778_0002

    /// `lockWaitLimit` bounds how long a statement waits for a lock (another process's commit, an operator's
    /// `LOCK TABLE`), `connectionWaitLimit` how long a read or commit waits for a connection (the server gone,
    /// the pool exhausted): past them the store answers `StoreError.unavailable` (HTTP 503).
    public init(settings: PostgresSettings, maximumConnections: Int = 10, idleTimeout: Duration = .seconds(60),
                lockWaitLimit: Duration = .seconds(30), connectionWaitLimit: Duration = .seconds(60),
                logger: Logger = Logger(label: "gongxiang.store")) {
        self.settings = settings
        self.logger = logger
        self.lockWaitLimit = lockWaitLimit
        self.connectionWaitLimit = connectionWaitLimit
        var configuration = settings.clientConfiguration(maximumConnections: maximumConnections)
        configuration.options.connectionIdleTimeout = idleTimeout
        // The server ends a statement that waited this long for a lock (SQLSTATE 55P03).
        configuration.options.additionalStartupParameters.append(("lock_timeout", "\(lockWaitLimit.components.seconds * 1000 + lockWaitLimit.components.attoseconds / 1_000_000_000_000_000)ms"))
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        (started, startedContinuation) = AsyncStream.makeStream()
    }

    /// Runs the connection pool until cancelled. Nothing reaches the database while it is not running.
    public func run() async throws {
        startedContinuation.finish()
        await client.run()
    }

    /// Checks the server answers, waits for `run()` to start, then brings the schema up to date; call before
    /// serving. An unreachable server is an error here, not a pool retrying in the background for ever.
    public func prepare() async throws {
        do {
            let connection = try await PostgresConnection.connect(configuration: try settings.connectionConfiguration(), id: 0, logger: logger)
            try? await connection.close()
        } catch {
            throw StoreError.unavailable(reason: "cannot connect to PostgreSQL at \(settings): \(PostgresFailure(error))")
        }
        for await _ in started {}
        await Task.yield()
        try await migrate()
    }

    /// Runs the pool around `body` with the schema up to date: a one-shot command, or a server's lifetime.
    public static func withStore<Result: Sendable>(
        settings: PostgresSettings, maximumConnections: Int = 4, logger: Logger = Logger(label: "gongxiang.store"),
        _ body: (PostgresHubStore) async throws -> Result
    ) async throws -> Result {
        let store = PostgresHubStore(settings: settings, maximumConnections: maximumConnections, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            defer { group.cancelAll() }
            try await store.prepare()
            return try await body(store)
        }
    }

    // MARK: Transactions

    let lockWaitLimit: Duration
    let connectionWaitLimit: Duration

    /// Runs `body` in one transaction; any throw rolls it back. PostgreSQL's errors become `StoreError`s.
    func transaction<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> Result) async throws -> Result {
        try await bounded { [client, logger] in
            try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        }
    }

    func read<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> Result) async throws -> Result {
        try await bounded { [client] in
            try await client.withConnection { connection in try await body(connection) }
        }
    }

    private func bounded<Result: Sendable>(_ operation: @escaping @Sendable () async throws -> Result) async throws -> Result {
        do {
            return try await withThrowingTaskGroup(of: Result?.self) { group in
                group.addTask { try await operation() }
                group.addTask { [connectionWaitLimit] in
                    // A connection that never comes (the server gone, the pool exhausted): give up waiting for it.
                    try await Task.sleep(for: connectionWaitLimit)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let result = first else {
                    throw StoreError.unavailable(reason: "PostgreSQL at \(settings) did not answer within \(connectionWaitLimit)")
                }
                return result
            }
        } catch {
            throw storeError(error)
        }
    }

    func storeError(_ error: any Error) -> any Error {
        if error is StoreError { return error }
        if let error = error as? PostgresTransactionError, let closure = error.closureError {
            return storeError(closure)
        }
        if error is DecodingError { return StoreError.unavailable(reason: "corrupt stored document: \(error)") }
        let transactionError = error as? PostgresTransactionError
        let failure = PostgresFailure(transactionError?.beginError ?? transactionError?.commitError ?? error)
        if failure.isUniqueViolation { return StoreError.duplicate(what: "a record with the same key") }
        if failure.sqlState == "55P03" {
            return StoreError.unavailable(reason: "PostgreSQL at \(settings): waited \(lockWaitLimit) for a lock held by another session")
        }
        return StoreError.unavailable(reason: "PostgreSQL at \(settings): \(failure)")
    }

    // MARK: Writes

    public func commit(_ changes: [HubChange], audit: [AuditDraft], at time: Date) async throws -> [AuditEntry] {
        let stamp = Timestamp.string(from: time)
        return try await transaction { [self] connection in
            try await connection.run("SELECT pg_advisory_xact_lock(\(Self.commitLock))", logger: logger)
            for change in changes { try await apply(change, on: connection) }
            let entries = try await append(audit, time: stamp, on: connection)
            try await recordSpans(entries, on: connection)
            return entries
        }
    }

    func apply(_ change: HubChange, on connection: PostgresConnection) async throws {
        switch change {
        case let .registerAgency(agency):
            if try await exists("SELECT 1 FROM agencies WHERE code = \(agency.code)", on: connection) {
                throw StoreError.duplicate(what: "agency \(agency.code)")
            }
            try await ensureNameIsFree(for: .agency(code: agency.code), on: connection)
            try await connection.run("""
                INSERT INTO agencies (code, name, public_key_pem, roles, retired_keys, revoked_keys)
                VALUES (\(agency.code), \(agency.name), \(agency.publicKeyPEM), \(try StoreCoding.encode(agency.roles)),
                        \(try StoreCoding.encode(agency.retiredKeys)), \(try StoreCoding.encode(agency.revokedKeys)))
                """, logger: logger)
        case let .updateAgency(agency):
            let updated = try await connection.query("""
                UPDATE agencies SET name = \(agency.name), public_key_pem = \(agency.publicKeyPEM), roles = \(try StoreCoding.encode(agency.roles)),
                                    retired_keys = \(try StoreCoding.encode(agency.retiredKeys)),
                                    revoked_keys = \(try StoreCoding.encode(agency.revokedKeys))
                WHERE code = \(agency.code) RETURNING code
                """, logger: logger)
            if try await updated.collect().isEmpty { throw StoreError.notFound(what: "agency \(agency.code)") }
        case let .addCredential(credential):
            try await ensureNameIsFree(for: credential.principal, on: connection)
            try await connection.run("""
                INSERT INTO credentials (token_hash, principal_kind, principal_id, created_at)
                VALUES (\(credential.tokenHash), \(credential.principal.kind.rawValue), \(credential.principal.id), \(credential.createdAt))
                """, logger: logger)
        case let .addFirstCredential(credential):
            let principal = credential.principal
            if try await exists("SELECT 1 FROM credentials WHERE principal_kind = \(principal.kind.rawValue) AND principal_id = \(principal.id)", on: connection) {
                throw StoreError.duplicate(what: "a credential of \(principal)")
            }
            try await apply(.addCredential(credential), on: connection)
        case let .revokeCredentials(principal):
            try await connection.run("""
                DELETE FROM credentials WHERE principal_kind = \(principal.kind.rawValue) AND principal_id = \(principal.id)
                """, logger: logger)
        case let .revokeCredential(tokenHash, principal):
            let deleted = try await connection.query("""
                DELETE FROM credentials WHERE token_hash = \(tokenHash) AND principal_kind = \(principal.kind.rawValue)
                                              AND principal_id = \(principal.id) RETURNING token_hash
                """, logger: logger)
            if try await deleted.collect().isEmpty { throw StoreError.notFound(what: "that credential of \(principal)") }
        case let .publishCatalogueEntry(entry):
            // A republished version keeps its place in publishing order, as SQLite's upsert keeps its rowid.
            try await connection.run("""
                INSERT INTO catalogue_entries (resource_code, schema_version, provider, document)
                VALUES (\(entry.resourceCode), \(entry.schemaVersion), \(entry.provider), \(try StoreCoding.encode(entry)))
                ON CONFLICT (resource_code, schema_version) DO UPDATE SET provider = excluded.provider, document = excluded.document
                """, logger: logger)
        case let .saveAgreement(agreement, expectedRevision):
            let document = try StoreCoding.encode(agreement)
            let terms = agreement.terms
            if let expectedRevision {
                let updated = try await connection.query("""
                    UPDATE agreements SET state = \(agreement.state.rawValue), revision = \(agreement.revision), document = \(document)
                    WHERE id = \(agreement.id) AND revision = \(expectedRevision) RETURNING id
                    """, logger: logger)
                if try await updated.collect().isEmpty { throw StoreError.conflict(what: "agreement \(agreement.id)") }
            } else {
                if try await exists("SELECT 1 FROM agreements WHERE id = \(agreement.id)", on: connection) {
                    throw StoreError.duplicate(what: "agreement \(agreement.id)")
                }
                try await connection.run("""
                    INSERT INTO agreements (id, provider, consumer, resource_code, state, revision, document)
                    VALUES (\(agreement.id), \(terms.provider), \(terms.consumer), \(terms.resourceCode), \(agreement.state.rawValue),
                            \(agreement.revision), \(document))
                    """, logger: logger)
            }
        case .acceptBatch, .recordDelivery, .recordReceipt, .pruneBatch:
            try await applyExchange(change, on: connection)
        case let .repairAuditIndex(add, remove):
            try await repairAuditIndex(add: add, remove: remove, on: connection)
        case let .saveDemand(demand, expectedRevision):
            try await saveDemand(demand, expectedRevision: expectedRevision, on: connection)
        case let .saveObjection(objection, expectedRevision):
            try await saveObjection(objection, expectedRevision: expectedRevision, on: connection)
        case let .saveVerification(verification, expectedRevision):
            try await saveVerification(verification, expectedRevision: expectedRevision, on: connection)
        case .keepPayload, .deletePayloads:
            try await applyPayload(change, on: connection)
        }
    }

    /// Refuses a principal whose name another kind of principal holds (`StoreError.nameTaken`).
    func ensureNameIsFree(for principal: Principal, on connection: PostgresConnection) async throws {
        let rows = try await connection.query("""
            SELECT principal_kind FROM credentials WHERE principal_id = \(principal.id) AND principal_kind <> \(principal.kind.rawValue) LIMIT 1
            """, logger: logger)
        for try await kind in rows.decode(String.self) { throw StoreError.nameTaken(principal.id, by: kind) }
        if principal.kind != .agency, try await exists("SELECT 1 FROM agencies WHERE code = \(principal.id)", on: connection) {
            throw StoreError.nameTaken(principal.id, by: PrincipalKind.agency.rawValue)
        }
    }

    func exists(_ query: PostgresQuery, on connection: PostgresConnection) async throws -> Bool {
        try await !connection.query(query, logger: logger).collect().isEmpty
    }

    // MARK: Reads

    public func agency(code: String) async throws -> Agency? {
        try await read { [self] connection in
            try await connection.query("SELECT * FROM agencies WHERE code = \(code)", logger: logger).collect().first.map(Self.agency(from:))
        }
    }

    public func agencies() async throws -> [Agency] {
        try await read { [self] connection in
            try await connection.query("SELECT * FROM agencies ORDER BY code", logger: logger).collect().map(Self.agency(from:))
        }
    }

    static func agency(from row: PostgresRow) throws -> Agency {
        let row = row.makeRandomAccess()
        return Agency(code: try row["code"].decode(String.self), name: try row["name"].decode(String.self),
                      publicKeyPEM: try row["public_key_pem"].decode(String.self),
                      roles: try StoreCoding.decode([AgencyRole].self, try row["roles"].decode(String.self)),
                      retiredKeys: try StoreCoding.decode([RetiredKey].self, try row["retired_keys"].decode(String.self)),
                      revokedKeys: try StoreCoding.decode([RevokedKey].self, try row["revoked_keys"].decode(String.self)))
    }

    public func principal(forTokenHash hash: String) async throws -> Principal? {
        try await read { [self] connection in
            let rows = try await connection.query("SELECT principal_kind, principal_id FROM credentials WHERE token_hash = \(hash)", logger: logger)
            for try await (kindName, id) in rows.decode((String, String).self) {
                switch PrincipalKind(rawValue: kindName) {
                case .admin: return .admin(name: id)
                case .agency: return .agency(code: id)
                case .auditor: return .auditor(name: id)
                case nil: return nil
                }
            }
            return nil
        }
    }

    public func credentials(of principal: Principal) async throws -> [Credential] {
        try await read { [self] connection in
            let rows = try await connection.query("""
                SELECT token_hash, created_at FROM credentials WHERE principal_kind = \(principal.kind.rawValue) AND principal_id = \(principal.id)
                ORDER BY created_at, token_hash
                """, logger: logger)
            var credentials: [Credential] = []
            for try await (hash, created) in rows.decode((String, String).self) {
                credentials.append(Credential(tokenHash: hash, principal: principal, createdAt: created))
            }
            return credentials
        }
    }

    public func catalogueEntries() async throws -> [CatalogueEntry] {
        try await read { [self] connection in
            // The latest version of each resource is the one published last.
            let rows = try await connection.query("""
                SELECT DISTINCT ON (resource_code) document FROM catalogue_entries
                ORDER BY resource_code, published_order DESC
                """, logger: logger)
            return try await documents(rows, as: CatalogueEntry.self)
        }
    }

    public func catalogueEntry(resourceCode: String, schemaVersion: String?) async throws -> CatalogueEntry? {
        try await read { [self] connection in
            let rows = if let schemaVersion {
                try await connection.query("""
                    SELECT document FROM catalogue_entries WHERE resource_code = \(resourceCode) AND schema_version = \(schemaVersion)
                    """, logger: logger)
            } else {
                try await connection.query("""
                    SELECT document FROM catalogue_entries WHERE resource_code = \(resourceCode) ORDER BY published_order DESC LIMIT 1
                    """, logger: logger)
            }
            return try await documents(rows, as: CatalogueEntry.self).first
        }
    }

    public func agreement(id: String) async throws -> SharingAgreement? {
        try await read { [self] connection in
            try await documents(connection.query("SELECT document FROM agreements WHERE id = \(id)", logger: logger), as: SharingAgreement.self).first
        }
    }

    public func agreements(matching query: AgreementQuery) async throws -> [SharingAgreement] {
        var filter = PostgresFilter()
        if let party = query.party { filter.add("(provider = ? OR consumer = ?)", party) }
        if let provider = query.provider { filter.add("provider = ?", provider) }
        if let consumer = query.consumer { filter.add("consumer = ?", consumer) }
        if let resource = query.resourceCode { filter.add("resource_code = ?", resource) }
        if let state = query.state { filter.add("state = ?", state.rawValue) }
        let sql = "SELECT document FROM agreements" + filter.whereClause + " ORDER BY id"
        let bindings = filter.bindings
        return try await read { [self] connection in
            try await documents(connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger), as: SharingAgreement.self)
        }
    }

    func documents<T: Decodable>(_ rows: PostgresRowSequence, as type: T.Type) async throws -> [T] {
        var documents: [T] = []
        for try await text in rows.decode(String.self) { documents.append(try StoreCoding.decode(T.self, text)) }
        return documents
    }

    public func metadata(_ key: String) async throws -> String? {
        try await read { [self] connection in
            for try await value in try await connection.query("SELECT value FROM hub_metadata WHERE key = \(key)", logger: logger).decode(String.self) {
                return value
            }
            return nil
        }
    }

    public func setMetadata(_ key: String, _ value: String) async throws {
        try await transaction { [self] connection in
            try await connection.run("""
                INSERT INTO hub_metadata (key, value) VALUES (\(key), \(value)) ON CONFLICT (key) DO UPDATE SET value = excluded.value
                """, logger: logger)
        }
    }
}
