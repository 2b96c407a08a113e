import Foundation
import GXDomain
import Testing
@testable import GXAgent

@Suite("Agent configuration: PostgreSQL sources and sinks")
struct PostgresLocationTests {
    private func load(_ location: String) throws -> AgentConfiguration {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gx-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("agent.toml").path
        try """
            hub = "http://127.0.0.1:8480"
            agency = "111100000000210552"
            token_file = "a.token"
            key_file = "a.key"
            state_dir = "state"
            [[consume]]
            agreement = "BJ-GX-2026-004"
            [consume.sink]
            \(location)
            key = ["sfzh"]
            [[consume.map]]
            item = "公民身份号码"
            column = "sfzh"
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return try AgentConfiguration.load(path: path).0
    }

    @Test("a postgres location keeps its URL as given (not a path) and is labelled without the password")
    func urlKept() throws {
        let sink = try load(#"kind = "postgres"\#nurl = "postgres://hr:s3cret@db.hr.example/registers?sslmode=require"\#ntable = "people.received""#)
            .consume[0].sink
        #expect(sink.path == "postgres://hr:s3cret@db.hr.example/registers?sslmode=require")
        #expect(sink.label == "postgres://hr@db.hr.example:5432/registers?sslmode=require:people.received")
    }

    @Test("without a url a postgres location takes the PG* variables")
    func environment() throws {
        // libpq's variables are the process's; no test relies on PGUSER being unset.
        setenv("PGUSER", "hr", 1)
        #expect(try load(#"kind = "postgres"\#ntable = "received""#).consume[0].sink.path == "postgres")
    }

    @Test("a postgres location without a table is refused naming it")
    func needsTable() {
        let error = #expect(throws: InvalidInput.self) { try load(#"kind = "postgres"\#nurl = "postgres://hr@db/registers""#) }
        #expect(error?.description.contains("table") == true, "\(error?.description ?? "")")
    }

    @Test("a malformed url is refused naming the url and the problem")
    func badURL() {
        let error = #expect(throws: InvalidInput.self) { try load(#"kind = "postgres"\#nurl = "postgres://hr@db/registers?sslmode=sometimes"\#ntable = "t""#) }
        #expect(error?.description.contains("url") == true, "\(error?.description ?? "")")
        #expect(error?.description.contains("sslmode") == true, "\(error?.description ?? "")")
    }
}
