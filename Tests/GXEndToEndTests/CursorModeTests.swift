import Foundation
import GRDB
import GXAgent
import GXDomain
import GXTestSupport
import Testing

/// A provider reading its own database table with an `updated_at` cursor instead of export files.
@Suite("Cursor mode: a provider's SQLite table with updated_at")
struct CursorModeTests {
    /// Loads the world's RK-001 export into `people.sqlite` with one shared `updated_at`, and points the
    /// provider's agent at it in cursor mode (batches of 2 000, so a batch boundary falls among rows that
    /// share a cursor value).
    static func providerTable(_ world: CrashRecoveryTests.World) throws -> DatabaseQueue {
        let data = world.state.appendingPathComponent("agents/\(CrashRecoveryTests.provider)/data")
        let csv = try CSVSource(path: data.appendingPathComponent("RK-001.csv").path, keyColumns: ["id_no"])
        let columns = try csv.columns()
        let queue = try DatabaseQueue(path: data.appendingPathComponent("people.sqlite").path)
        try queue.write { db in
            let definitions = columns.map { "\"\($0)\" TEXT" }.joined(separator: ", ")
            try db.execute(sql: "CREATE TABLE people (\(definitions), updated_at TEXT NOT NULL, PRIMARY KEY (id_no))")
            let insert = try db.makeStatement(sql: "INSERT INTO people VALUES (\(Array(repeating: "?", count: columns.count + 1).joined(separator: ", ")))")
            try csv.scan(after: nil) { row in
                let values: [String?] = row.values + ["2026-11-23T01:00:00"]
                try insert.execute(arguments: StatementArguments(values))
            }
        }
        let text = try String(contentsOfFile: world.providerConfig, encoding: .utf8)
            .replacingOccurrences(of: "kind = \"csv\"\npath = \"data/RK-001.csv\"",
                                  with: "kind = \"sqlite\"\npath = \"data/people.sqlite\"\ntable = \"people\"\ncursor = \"updated_at\"")
        try #require(text.contains("cursor = \"updated_at\""))
        try text.write(toFile: world.providerConfig, atomically: true, encoding: .utf8)
        return queue
    }

    @Test("the first run sends every row across batches, the next only rows updated since, and the consumer has them all")
    func cursorSendsOnlyLaterRows() async throws {
        let world = try await CrashRecoveryTests.world()
        defer { world.hub.stop() }
        let queue = try Self.providerTable(world)
        let pair = try #require(try ExchangeTests.pairs().first { $0.resource == "RK-001" })

        let first = try await GXBinary.run(["agent", "run", "--json", "--config", world.providerConfig])
        #expect(first.status == 0, "\(first.stderr)")
        let valid = try await ExchangeTests.expectedLines(pair, state: world.state)
        #expect(first.stdout.contains("\"upserts\" : \(valid.count)"), "\(first.stdout)")

        try await queue.write { db in
            try db.execute(sql: """
                UPDATE people SET xm = '李四', updated_at = '2026-11-24T01:00:00'
                WHERE id_no IN (SELECT id_no FROM people ORDER BY id_no LIMIT 10)
                """)
        }
        let second = try await GXBinary.run(["agent", "run", "--json", "--config", world.providerConfig])
        #expect(second.status == 0, "\(second.stderr)")
        let expected = try await ExchangeTests.expectedLines(pair, state: world.state)
        // Of the 10 updated rows, those still valid travel (a row the sample made invalid stays quarantined).
        let updated = expected.filter { $0.contains("李四") }.count
        #expect(updated >= 9)
        #expect(second.stdout.contains("\"upserts\" : \(updated)"), "\(second.stdout)")

        await #expect(try world.agent(world.consumerConfig).status == 0)
        let received = try ExchangeTests.receivedLines(pair, state: world.state)
        #expect(expected.isSubset(of: received), "missing \(expected.subtracting(received).prefix(3))")
        #expect(received.filter { $0.contains("李四") }.count == updated)
    }
}

@Suite("A consumer applying into a CSV file")
struct CSVSinkExchangeTests {
    @Test("a consumer new to the agreement replays every retained batch into a CSV file equal to the provider's rows")
    func csvSinkFromScratch() async throws {
        let world = try await CrashRecoveryTests.world()
        defer { world.hub.stop() }
        await #expect(try world.agent(world.providerConfig).status == 0)
        let text = try String(contentsOfFile: world.consumerConfig, encoding: .utf8)
            .replacingOccurrences(of: #"kind = "sqlite"\npath = "data/received.sqlite"\ntable = "RK_001""#,
                                  with: "kind = \"csv\"\npath = \"data/received.csv\"", options: .regularExpression)
        try #require(text.contains("received.csv"))
        try text.write(toFile: world.consumerConfig, atomically: true, encoding: .utf8)
        let result = try await world.agent(world.consumerConfig)
        #expect(result.status == 0, "\(result.stderr)")

        let pair = try #require(try ExchangeTests.pairs().first { $0.resource == "RK-001" })
        let expected = try await ExchangeTests.expectedLines(pair, state: world.state)
        let file = try CSVSource(path: world.state.appendingPathComponent("agents/\(CrashRecoveryTests.consumer)/data/received.csv").path,
                             keyColumns: ["公民身份号码"])
        let source = file
        let columns = try source.columns()
        let entry = try #require(try SampleDocuments.catalogue()["RK-001"])
        let indices = entry.items.map(\.name).filter(Set(pair.items).contains).map { columns.firstIndex(of: $0)! }
        var received = Set<String>()
        try source.scan(after: nil) { row in
            var bytes: [UInt8] = []
            CanonicalRecord(operation: .upsert, values: indices.map { row.values[$0] }).write(into: &bytes)
            received.insert(String(decoding: bytes, as: UTF8.self))
        }
        #expect(received == expected)
    }
}
