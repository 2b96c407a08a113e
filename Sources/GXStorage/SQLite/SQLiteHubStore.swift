import Foundation
import GRDB
import GXDomain

/// The embedded hub store: one SQLite file in WAL mode, so auditors' reads never wait on writes.
public final class SQLiteHubStore: HubStore {
    let pool: DatabasePool

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    public init(path: String) throws {
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.foreignKeysEnabled = true
        config.label = "gongxiang-hub"
        Self.restrictAccess(to: path)
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch {
            throw StoreError.unavailable(reason: "cannot open SQLite database at \(path): \(error)")
        }
        try Self.migrate(pool)
    }

    /// The database holds credential hashes and the registry, so it and its `-wal` and `-shm` are the hub's
    /// user's only (0600), as every other file holding state. SQLite gives the `-wal` and `-shm` the database
    /// file's mode, so the file is created 0600 before SQLite opens it (an empty file is a new database), and
    /// an existing one readable by others is tightened. A failure (another user's read-only copy) is left to
    /// the open to report.
    static func restrictAccess(to path: String) {
        guard !path.isEmpty, path != ":memory:", !path.hasPrefix("file:") else { return }
        let created = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if created >= 0 {
            close(created)
            return
        }
        for file in [path, path + "-wal", path + "-shm"] {
            guard let mode = (try? FileManager.default.attributesOfItem(atPath: file))?[.posixPermissions] as? Int, mode & 0o077 != 0 else { continue }
            _ = chmod(file, 0o600)
        }
    }

    static func encode<T: Encodable>(_ value: T) throws -> String { try StoreCoding.encode(value) }
    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T { try StoreCoding.decode(type, text) }

    // MARK: Writes

    public func commit(_ changes: [HubChange], audit: [AuditDraft], at time: Date) async throws -> [AuditEntry] {
        let stamp = Timestamp.string(from: time)
        return try await pool.write { db in
            for change in changes { try Self.apply(change, in: db) }
            let entries = try audit.map { try Self.append($0, time: stamp, in: db) }
            try Self.recordSpans(entries, in: db)
            return entries
        }
    }

    static func apply(_ change: HubChange, in db: Database) throws {
        switch change {
        case let .registerAgency(agency):
            if try Row.fetchOne(db, sql: "SELECT 1 FROM agencies WHERE code = ?", arguments: [agency.code]) != nil {
                throw StoreError.duplicate(what: "agency \(agency.code)")
            }
            try ensureNameIsFree(for: .agency(code: agency.code), in: db)
            try db.execute(sql: "INSERT INTO agencies (code, name, public_key_pem, roles, retired_keys, revoked_keys) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [agency.code, agency.name, agency.publicKeyPEM, try encode(agency.roles), try encode(agency.retiredKeys),
                                       try encode(agency.revokedKeys)])
        case let .updateAgency(agency):
            try db.execute(sql: "UPDATE agencies SET name = ?, public_key_pem = ?, roles = ?, retired_keys = ?, revoked_keys = ? WHERE code = ?",
                           arguments: [agency.name, agency.publicKeyPEM, try encode(agency.roles), try encode(agency.retiredKeys),
                                       try encode(agency.revokedKeys), agency.code])
            if db.changesCount == 0 { throw StoreError.notFound(what: "agency \(agency.code)") }
        case let .addCredential(credential):
            try ensureNameIsFree(for: credential.principal, in: db)
            try db.execute(sql: "INSERT INTO credentials (token_hash, principal_kind, principal_id, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [credential.tokenHash, credential.principal.kind.rawValue, credential.principal.id, credential.createdAt])
        case let .addFirstCredential(credential):
            if try Row.fetchOne(db, sql: "SELECT 1 FROM credentials WHERE principal_kind = ? AND principal_id = ?",
                                arguments: [credential.principal.kind.rawValue, credential.principal.id]) != nil {
                throw StoreError.duplicate(what: "a credential of \(credential.principal)")
            }
            try apply(.addCredential(credential), in: db)
        case let .revokeCredentials(principal):
            try db.execute(sql: "DELETE FROM credentials WHERE principal_kind = ? AND principal_id = ?",
                           arguments: [principal.kind.rawValue, principal.id])
        case let .revokeCredential(tokenHash, principal):
            try db.execute(sql: "DELETE FROM credentials WHERE token_hash = ? AND principal_kind = ? AND principal_id = ?",
                           arguments: [tokenHash, principal.kind.rawValue, principal.id])
            if db.changesCount == 0 { throw StoreError.notFound(what: "that credential of \(principal)") }
        case let .publishCatalogueEntry(entry):
            try db.execute(sql: """
                INSERT INTO catalogue_entries (resource_code, schema_version, provider, document) VALUES (?, ?, ?, ?)
                ON CONFLICT (resource_code, schema_version) DO UPDATE SET provider = excluded.provider, document = excluded.document
                """, arguments: [entry.resourceCode, entry.schemaVersion, entry.provider, try encode(entry)])
        case let .saveAgreement(agreement, expectedRevision):
            let document = try encode(agreement)
            let t = agreement.terms
            if let expectedRevision {
                try db.execute(sql: """
                    UPDATE agreements SET state = ?, revision = ?, document = ? WHERE id = ? AND revision = ?
                    """, arguments: [agreement.state.rawValue, agreement.revision, document, agreement.id, expectedRevision])
                if db.changesCount == 0 { throw StoreError.conflict(what: "agreement \(agreement.id)") }
            } else {
                if try Row.fetchOne(db, sql: "SELECT 1 FROM agreements WHERE id = ?", arguments: [agreement.id]) != nil {
                    throw StoreError.duplicate(what: "agreement \(agreement.id)")
                }
                try db.execute(sql: """
                    INSERT INTO agreements (id, provider, consumer, resource_code, state, revision, document)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [agreement.id, t.provider, t.consumer, t.resourceCode, agreement.state.rawValue, agreement.revision, document])
            }
        case .acceptBatch, .recordDelivery, .recordReceipt, .pruneBatch:
            try applyExchange(change, in: db)
        case let .repairAuditIndex(add, remove):
            try repairAuditIndex(add: add, remove: remove, in: db)
        case let .saveDemand(demand, expectedRevision):
            try saveDemand(demand, expectedRevision: expectedRevision, in: db)
        case let .saveObjection(objection, expectedRevision):
            try saveObjection(objection, expectedRevision: expectedRevision, in: db)
        case let .saveVerification(verification, expectedRevision):
            try saveVerification(verification, expectedRevision: expectedRevision, in: db)
        case .keepPayload, .deletePayloads:
            // A SQLite hub keeps its payloads as files (`FilePayloadStore`), which asks for no such change.
            throw StoreError.unavailable(reason: "SQLite keeps no payloads: they are files in the batch directory")
        }
    }

    /// Refuses a principal whose name another kind of principal holds (`StoreError.nameTaken`).
    static func ensureNameIsFree(for principal: Principal, in db: Database) throws {
        if let kind = try String.fetchOne(db, sql: "SELECT principal_kind FROM credentials WHERE principal_id = ? AND principal_kind <> ? LIMIT 1",
                                          arguments: [principal.id, principal.kind.rawValue]) {
            throw StoreError.nameTaken(principal.id, by: kind)
        }
        if principal.kind != .agency, try Row.fetchOne(db, sql: "SELECT 1 FROM agencies WHERE code = ?", arguments: [principal.id]) != nil {
            throw StoreError.nameTaken(principal.id, by: PrincipalKind.agency.rawValue)
        }
    }

    // MARK: Reads

    public func agency(code: String) async throws -> Agency? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM agencies WHERE code = ?", arguments: [code]).map(Self.agency(from:))
        }
    }

    public func agencies() async throws -> [Agency] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM agencies ORDER BY code").map(Self.agency(from:))
        }
    }

    static func agency(from row: Row) throws -> Agency {
        Agency(code: row["code"], name: row["name"], publicKeyPEM: row["public_key_pem"],
               roles: try decode([AgencyRole].self, row["roles"]), retiredKeys: try decode([RetiredKey].self, row["retired_keys"]),
               revokedKeys: try decode([RevokedKey].self, row["revoked_keys"]))
    }

    public func principal(forTokenHash hash: String) async throws -> Principal? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT principal_kind, principal_id FROM credentials WHERE token_hash = ?", arguments: [hash]),
                  let kind = PrincipalKind(rawValue: row["principal_kind"]) else { return nil }
            let id: String = row["principal_id"]
            switch kind {
            case .admin: return .admin(name: id)
            case .agency: return .agency(code: id)
            case .auditor: return .auditor(name: id)
            }
        }
    }

    public func credentials(of principal: Principal) async throws -> [Credential] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT token_hash, created_at FROM credentials WHERE principal_kind = ? AND principal_id = ? ORDER BY created_at, token_hash
                """, arguments: [principal.kind.rawValue, principal.id])
                .map { Credential(tokenHash: $0["token_hash"], principal: principal, createdAt: $0["created_at"]) }
        }
    }

    public func catalogueEntries() async throws -> [CatalogueEntry] {
        try await pool.read { db in
            // The latest version of each resource is the one published last.
            try String.fetchAll(db, sql: """
                SELECT document FROM catalogue_entries c
                WHERE rowid = (SELECT MAX(rowid) FROM catalogue_entries WHERE resource_code = c.resource_code)
                ORDER BY resource_code
                """).map { try Self.decode(CatalogueEntry.self, $0) }
        }
    }

    public func catalogueEntry(resourceCode: String, schemaVersion: String?) async throws -> CatalogueEntry? {
        try await pool.read { db in
            let document: String?
            if let schemaVersion {
                document = try String.fetchOne(db, sql: "SELECT document FROM catalogue_entries WHERE resource_code = ? AND schema_version = ?",
                                               arguments: [resourceCode, schemaVersion])
            } else {
                document = try String.fetchOne(db, sql: "SELECT document FROM catalogue_entries WHERE resource_code = ? ORDER BY rowid DESC LIMIT 1",
                                               arguments: [resourceCode])
            }
            return try document.map { try Self.decode(CatalogueEntry.self, $0) }
        }
    }

    public func agreement(id: String) async throws -> SharingAgreement? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT document FROM agreements WHERE id = ?", arguments: [id])
                .map { try Self.decode(SharingAgreement.self, $0) }
        }
    }

    public func agreements(matching query: AgreementQuery) async throws -> [SharingAgreement] {
        var clauses: [String] = []
        var arguments: StatementArguments = []
        if let party = query.party { clauses.append("(provider = ? OR consumer = ?)"); arguments += [party, party] }
        if let provider = query.provider { clauses.append("provider = ?"); arguments += [provider] }
        if let consumer = query.consumer { clauses.append("consumer = ?"); arguments += [consumer] }
        if let resource = query.resourceCode { clauses.append("resource_code = ?"); arguments += [resource] }
        if let state = query.state { clauses.append("state = ?"); arguments += [state.rawValue] }
        let sql = "SELECT document FROM agreements" + (clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")) + " ORDER BY id"
        let bound = arguments
        return try await pool.read { db in
            try String.fetchAll(db, sql: sql, arguments: bound).map { try Self.decode(SharingAgreement.self, $0) }
        }
    }

    public func metadata(_ key: String) async throws -> String? {
        try await pool.read { db in try String.fetchOne(db, sql: "SELECT value FROM hub_metadata WHERE key = ?", arguments: [key]) }
    }

    public func setMetadata(_ key: String, _ value: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO hub_metadata (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                           arguments: [key, value])
        }
    }
}
