import Foundation
import GXCrypto
import GXPostgres
import NIOCore
import PostgresNIO

/// Payloads as rows of the hub's PostgreSQL database: one `payloads` row per payload (its name and sealed
/// length) and its sealed bytes in `payload_chunks` of 256 KB, written and read a chunk at a time, so no
/// payload is ever whole in memory. Bytes are sealed exactly as a ``SealedFile`` is.
///
/// Chunked rows rather than large objects: they are plain rows, so `keepPayload` and `deletePayloads` run in
/// the hub store's own transactions beside the rows that name a payload, `pg_dump` of the schema carries them
/// without `--blobs`, and deleting a payload deletes its bytes (a large object outlives the row naming it
/// unless unlinked). The name lives in `payloads` alone: keeping an upload renames one row.
public struct PostgresPayloadStore: PayloadStore {
    public let store: PostgresHubStore
    public var place: String { "the database's payload store" }
    static let chunkBytes = 256 * 1024

    public init(store: PostgresHubStore) {
        self.store = store
    }

    public func create(sealingWith key: DataKey?) async throws -> any PayloadWriter {
        let name = "\(PayloadUploads.prefix)\(PayloadUploads.processTag)/\(UUID().uuidString)"
        let sealer = try key.map { key throws(CryptoError) in try PayloadSealer(key: key) }
        let id = try await store.transaction { [logger = store.logger] connection in
            for try await id in try await connection.query("INSERT INTO payloads (name) VALUES (\(name)) RETURNING id", logger: logger).decode(Int64.self) {
                return id
            }
            throw StoreError.unavailable(reason: "PostgreSQL returned no id for a new payload")
        }
        return PostgresPayloadWriter(payloads: self, id: id, name: name, sealer: sealer)
    }

    public func open(_ name: String, keyring: DataKeyring?) async throws -> any PayloadReader {
        let found = try await store.read { [logger = store.logger] connection in
            for try await (id, bytes) in try await connection.query("""
                SELECT id, bytes FROM payloads WHERE name = \(name) AND bytes IS NOT NULL
                """, logger: logger).decode((Int64, Int64).self) {
                return (id, bytes) as (Int64, Int64)?
            }
            return nil
        }
        guard let (id, bytes) = found else {
            throw CryptoError.fileUnreadable(path: name, reason: "no such payload in the database")
        }
        return try await PostgresPayloadReader.open(payloads: self, id: id, name: name, sealedSize: bytes, keyring: keyring)
    }

    public func keeping(_ provisional: String, as name: String) async throws -> [HubChange] {
        [.keepPayload(provisional: provisional, as: name)]
    }

    public func forget(_ provisional: String, keptAs name: String?) async {
        await delete([provisional])
    }

    public func deleting(_ names: [String]) -> [HubChange] { names.isEmpty ? [] : [.deletePayloads(names)] }

    public func deleted(_ names: [String]) async {}

    public func delete(_ names: [String]) async {
        guard !names.isEmpty else { return }
        do {
            try await store.transaction { [logger = store.logger] connection in
                try await connection.run("DELETE FROM payloads WHERE name = ANY(\(names))", logger: logger)
            }
        } catch {
            store.logger.warning("payloads \(names) not deleted (the abandoned-upload sweep retries uploads): \(error)")
        }
    }

    public func names() async throws -> [String] {
        try await store.read { [logger = store.logger] connection in
            var names: [String] = []
            for try await name in try await connection.query("""
                SELECT name FROM payloads WHERE bytes IS NOT NULL AND NOT starts_with(name, \(PayloadUploads.prefix)) ORDER BY name
                """, logger: logger).decode(String.self) {
                names.append(name)
            }
            return names
        }
    }

    public func removeAbandonedUploads(olderThan age: TimeInterval) async {
        do {
            // Each process's uploads, and whether nobody wrote to any of them for `age`.
            let tags = try await store.read { [logger = store.logger] connection in
                var tags: [(String, Bool)] = []
                for try await (tag, stale) in try await connection.query("""
                    SELECT split_part(name, '/', 2), bool_and(touched_at < now() - make_interval(secs => \(age)))
                    FROM payloads WHERE starts_with(name, \(PayloadUploads.prefix)) GROUP BY 1
                    """, logger: logger).decode((String, Bool).self) {
                    tags.append((tag, stale))
                }
                return tags
            }
            let abandoned = tags.filter { tag, stale in
                tag != PayloadUploads.processTag && (PayloadUploads.isLocal(tag) ? PayloadUploads.processIsGone(tag) : stale)
            }
            for (tag, _) in abandoned {
                try await store.transaction { [logger = store.logger] connection in
                    try await connection.run("DELETE FROM payloads WHERE starts_with(name, \(PayloadUploads.prefix + tag + "/"))", logger: logger)
                }
            }
        } catch {
            store.logger.warning("abandoned uploads not removed: \(error)")
        }
    }

    // MARK: Chunks

    func insertChunk(_ id: Int64, number: Int32, _ bytes: ByteBuffer) async throws {
        try await store.read { [logger = store.logger] connection in
            try await connection.run("""
                WITH touched AS (UPDATE payloads SET touched_at = now() WHERE id = \(id))
                INSERT INTO payload_chunks (payload_id, chunk_no, bytes) VALUES (\(id), \(number), \(bytes))
                """, logger: logger)
        }
    }

    func finished(_ id: Int64, bytes: Int64) async throws {
        try await store.read { [logger = store.logger] connection in
            try await connection.run("UPDATE payloads SET bytes = \(bytes), touched_at = now() WHERE id = \(id)", logger: logger)
        }
    }

    /// Chunk `number` of payload `id`; nil past its last.
    func chunk(_ id: Int64, number: Int32) async throws -> [UInt8]? {
        try await store.read { [logger = store.logger] connection in
            for try await bytes in try await connection.query("""
                SELECT bytes FROM payload_chunks WHERE payload_id = \(id) AND chunk_no = \(number)
                """, logger: logger).decode(ByteBuffer.self) {
                return Array(bytes.readableBytesView)
            }
            return nil
        }
    }

    func deleteUpload(_ id: Int64) async {
        do {
            try await store.read { [logger = store.logger] connection in
                try await connection.run("DELETE FROM payloads WHERE id = \(id)", logger: logger)
            }
        } catch {
            store.logger.warning("an abandoned upload was not deleted (the abandoned-upload sweep retries): \(error)")
        }
    }
}
