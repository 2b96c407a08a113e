import Foundation
import GXHub
import GXPostgres
import GXStorage
import GXTestSupport
import Logging
import NIOCore
import PostgresNIO

private let payloadLogger = Logger(label: "gongxiang.test-payloads")

/// The fixture's payloads as stored, wherever its hub keeps them: files of the batch directory (SQLite) or rows
/// of the PostgreSQL database — so a test that damages or counts them runs on both.
extension HubFixture {
    /// The payload store a hub on `store` uses in these tests: the database's own when it is PostgreSQL.
    static func payloads(for store: any HubStore) -> (any PayloadStore)? {
        (store as? PostgresHubStore).map { PostgresPayloadStore(store: $0) }
    }

    /// Every payload held, kept or still an upload (a file of the batch directory, a row of `payloads`).
    func storedPayloads() async throws -> [String] {
        if let postgres = store as? PostgresHubStore {
            return try await TestPostgres.rows("SELECT name FROM payloads ORDER BY name", in: postgres.settings).compactMap { $0.first ?? nil }
        }
        let directory = hub.batchDirectory
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        return try FileManager.default.subpathsOfDirectory(atPath: directory.path).filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: directory.appendingPathComponent(path).path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }.sorted()
    }

    /// A kept payload's bytes as stored (sealed).
    func storedBytes(_ name: String) async throws -> [UInt8] {
        if let postgres = store as? PostgresHubStore {
            return try await TestPostgres.withConnection(postgres.settings) { connection in
                var bytes: [UInt8] = []
                for try await chunk in try await connection.query("""
                    SELECT c.bytes FROM payload_chunks c JOIN payloads p ON p.id = c.payload_id WHERE p.name = \(name) ORDER BY c.chunk_no
                    """, logger: payloadLogger).decode(ByteBuffer.self) {
                    bytes += chunk.readableBytesView
                }
                return bytes
            }
        }
        return try [UInt8](Data(contentsOf: hub.batchDirectory.appendingPathComponent(name)))
    }

    /// Replaces a kept payload's stored bytes, as damage or an operator's mistake would. The hub then forgets
    /// the payloads it remembers, as a restart would, so what it serves next is read from the store.
    func replaceStoredBytes(_ name: String, with bytes: [UInt8]) async throws {
        hub.recentPayloads.forgetAll()
        if let postgres = store as? PostgresHubStore {
            try await TestPostgres.withConnection(postgres.settings) { connection in
                try await connection.run("DELETE FROM payload_chunks WHERE payload_id = (SELECT id FROM payloads WHERE name = \(name))", logger: payloadLogger)
                try await connection.run("""
                    INSERT INTO payload_chunks (payload_id, chunk_no, bytes) SELECT id, 0, \(ByteBuffer(bytes: bytes)) FROM payloads WHERE name = \(name)
                    """, logger: payloadLogger)
                try await connection.run("UPDATE payloads SET bytes = \(Int64(bytes.count)) WHERE name = \(name)", logger: payloadLogger)
            }
            return
        }
        try Data(bytes).write(to: hub.batchDirectory.appendingPathComponent(name))
    }
}
