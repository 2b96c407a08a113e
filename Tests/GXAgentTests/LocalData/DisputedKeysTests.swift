import GRDB
import GXPostgres
import GXTestSupport
import Testing
@testable import GXAgent

/// The consumer's `gx_disputed` side table: the keys flagged by open objections, per stream.
@Suite("Sinks keep the disputed keys (gx_disputed)")
struct DisputedKeysTests {
    private struct Refusal: Error {}
    static let first = DisputedKey(key: "1", objection: "YY-2026-001", since: "2026-03-02T01:00:00Z")
    static let second = DisputedKey(key: "2", objection: "YY-2026-002", since: "2026-03-03T01:00:00Z")

    private func sqliteRows(_ path: String) throws -> [[String]] {
        try DatabaseQueue(path: path).read { db in
            try Row.fetchAll(db, sql: "SELECT stream, key, objection FROM gx_disputed ORDER BY stream, objection").map { [$0[0], $0[1], $0[2]] }
        }
    }

    @Test("SQLite: disputes are written with the next batch of their stream, replaced by the next set, and left alone when the batch fails")
    func sqliteWithBatch() throws {
        let scratch = try LocalDataScratch()
        let path = scratch.file("consumer.sqlite")
        let sink = try SQLiteSink(path: path, table: "people", keyColumns: ["id"], createColumns: ["id", "name"])
        sink.expectDisputes([Self.first], stream: "a")
        #expect(try sqliteRows(path).isEmpty, "not before the batch's transaction")
        try sink.apply(stream: "a", checkpoint: 1) { try $0.upsert(["1", "Li"]) }
        #expect(try sqliteRows(path) == [["a", "1", "YY-2026-001"]])
        sink.expectDisputes([Self.second], stream: "a")
        #expect(throws: Refusal.self) { try sink.apply(stream: "a", checkpoint: 2) { _ in throw Refusal() } }
        #expect(try sqliteRows(path) == [["a", "1", "YY-2026-001"]], "rolled back with the batch")
        try sink.apply(stream: "a", checkpoint: 2) { try $0.upsert(["1", "Wang"]) }
        #expect(try sqliteRows(path) == [["a", "2", "YY-2026-002"]])
    }

    @Test("SQLite: without a batch the disputes are written on their own, and other streams are untouched")
    func sqliteOnTheirOwn() throws {
        let scratch = try LocalDataScratch()
        let path = scratch.file("consumer.sqlite")
        let sink = try SQLiteSink(path: path, table: "people", keyColumns: ["id"], createColumns: ["id", "name"])
        sink.expectDisputes([Self.first, Self.second], stream: "a")
        sink.expectDisputes([Self.first], stream: "b")
        try sink.writePendingDisputes(stream: "a")
        try sink.writePendingDisputes(stream: "b")
        sink.expectDisputes([], stream: "a")
        try sink.writePendingDisputes(stream: "a")
        #expect(try sqliteRows(path) == [["b", "1", "YY-2026-001"]])
    }

    @Test("CSV: the disputes go to the side database beside the rows")
    func csvSideDatabase() throws {
        let scratch = try LocalDataScratch()
        let path = scratch.file("people.csv")
        let sink = try CSVSink(path: path, keyColumns: ["id"], columns: ["id", "name"])
        sink.expectDisputes([Self.first], stream: "a")
        try sink.apply(stream: "a", checkpoint: 1) { try $0.upsert(["1", "Li"]) }
        #expect(try sqliteRows(path + ".gx.sqlite") == [["a", "1", "YY-2026-001"]])
    }

    @Test("PostgreSQL: disputes are written with the next batch, replaced by the next set, and written on their own without a batch")
    func postgres() async throws {
        let settings = try await TestPostgres.freshDatabase()
        let sink = try await PostgresSink.open(settings: settings, table: "people", keyColumns: ["id"], createColumns: ["id", "name"])
        func rows() async throws -> [[String?]] {
            try await TestPostgres.rows("SELECT stream, key, objection FROM gx_disputed ORDER BY stream, objection", in: settings)
        }
        sink.expectDisputes([Self.first], stream: "a")
        try await sink.apply(stream: "a", checkpoint: 1) { try $0.upsert(["1", "Li"]) }
        #expect(try await rows() == [["a", "1", "YY-2026-001"]])
        sink.expectDisputes([Self.second], stream: "a")
        await #expect(throws: Refusal.self) { try await sink.apply(stream: "a", checkpoint: 2) { _ in throw Refusal() } }
        #expect(try await rows() == [["a", "1", "YY-2026-001"]])
        try await sink.writePendingDisputes(stream: "a")
        #expect(try await rows() == [["a", "2", "YY-2026-002"]])
        await sink.close()
    }
}
