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
        nil
    }

    /// Every payload held, kept or still an upload (a file of the batch directory, a row of `payloads`).
    func storedPayloads() async throws -> [String] {
        let directory = hub.batchDirectory
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        return try FileManager.default.subpathsOfDirectory(atPath: directory.path).filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: directory.appendingPathComponent(path).path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }.sorted()
    }

    /// A kept payload's bytes as stored (sealed).
    func storedBytes(_ name: String) async throws -> [UInt8] {
        return try [UInt8](Data(contentsOf: hub.batchDirectory.appendingPathComponent(name)))
    }

    /// Replaces a kept payload's stored bytes, as damage or an operator's mistake would.
    func replaceStoredBytes(_ name: String, with bytes: [UInt8]) async throws {
        try Data(bytes).write(to: hub.batchDirectory.appendingPathComponent(name))
    }
}
