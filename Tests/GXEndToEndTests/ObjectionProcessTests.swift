import Foundation
import GRDB
import GXTestSupport
import Testing

@Suite("An objection from raising to closing with gx processes")
struct ObjectionProcessTests {
    static let provider = "111100000000210552", consumer = "11110000000021063W", agreement = "BJ-GX-2026-004"

    @Test("the consumer raises an objection on a record it received, its gx_disputed gains the key; the provider confirms, its next pass corrects the row, the hub closes the objection, and the consumer's next run applies the correction and drops the key")
    func raisedToClosed() async throws {
        let run = try await Quickstart.run()
        try #require(run.result.status == 0)
        let state = try temporaryDirectory("objection")
        try FileManager.default.removeItem(at: state)
        try run.copyState(to: state)
        let hub = try await HubProcess(database: state.appendingPathComponent("hub/hub.sqlite").path, directory: state)
        defer { hub.stop() }
        func config(_ code: String) throws -> String {
            let path = state.appendingPathComponent("agents/\(code)/agent.toml").path
            let text = try String(contentsOfFile: path, encoding: .utf8)
                .replacingOccurrences(of: #"hub = "[^"]*""#, with: "hub = \"\(hub.url)\"", options: .regularExpression)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let providerConfig = try config(Self.provider), consumerConfig = try config(Self.consumer)
        func gx(_ arguments: [String], as party: String?) async throws -> ProcessResult {
            let token = party.map { state.appendingPathComponent("agencies/\($0).token").path } ?? state.appendingPathComponent("hub/admin.token").path
            let result = try await GXBinary.run(arguments + ["--hub", hub.url, "--token-file", token])
            #expect(result.status == 0, "gx \(arguments.joined(separator: " ")): \(result.stderr)")
            return result
        }
        func agent(_ config: String) async throws -> ProcessResult {
            let result = try await GXBinary.run(["agent", "run", "--config", config])
            #expect(result.status == 0, "\(result.stderr)")
            return result
        }
        let received = try DatabaseQueue(path: state.appendingPathComponent("agents/\(Self.consumer)/data/received.sqlite").path)
        func disputed() async throws -> [[String]] {
            try await received.read { db in
                try Row.fetchAll(db, sql: "SELECT stream, key, objection FROM gx_disputed ORDER BY objection").map { [$0[0], $0[1], $0[2]] }
            }
        }
        let (key, name) = try await received.read { db -> (String, String) in
            let row = try #require(try Row.fetchOne(db, sql: #"SELECT "公民身份号码", "姓名" FROM RK_001 ORDER BY "公民身份号码" LIMIT 1"#))
            return (row[0], row[1])
        }

        // Raised by the consumer on a record it holds; its next run (no new batch) flags the key on its own.
        let raised = try await gx(["objection", "raise", "--agreement", Self.agreement, "--key", key, "--item", "姓名",
                                   "--problem", "姓名与社保档案不符", "--evidence", "社保档案 2026-0001 号"], as: Self.consumer)
        let id = try #require(raised.stdout.split(separator: " ").first.map(String.init))
        #expect(raised.stdout.contains("[open]"))
        _ = try await agent(consumerConfig)
        #expect(try await disputed() == [[Self.agreement, key, id]])

        // The provider confirms and corrects the row at the source; its next run says what awaits it.
        let listed = try await gx(["objection", "list", "--open"], as: Self.provider)
        #expect(listed.stdout.contains(id))
        _ = try await gx(["objection", "answer", id, "confirmed"], as: Self.provider)
        let export = state.appendingPathComponent("agents/\(Self.provider)/data/RK-001.csv")
        var lines = try String(contentsOf: export, encoding: .utf8).components(separatedBy: "\n")
        let index = try #require(lines.firstIndex { $0.hasPrefix(key + ",") })
        var fields = lines[index].components(separatedBy: ",")
        #expect(fields[1] == name)
        fields[1] = "王更正"
        lines[index] = fields.joined(separator: ",")
        try lines.joined(separator: "\n").write(to: export, atomically: true, encoding: .utf8)
        let pushed = try await agent(providerConfig)
        #expect(pushed.stderr.contains("objection \(id) [confirmed]"), "\(pushed.stderr)")
        let shown = try await gx(["objection", "show", id], as: Self.consumer)
        #expect(shown.stdout.contains("[closed]") && shown.stdout.contains("by batch RK-001#"), "\(shown.stdout)")

        // The consumer applies the correcting batch and withdraws the flag in the same run.
        _ = try await agent(consumerConfig)
        #expect(try await disputed().isEmpty)
        let corrected = try await received.read { db in
            try String.fetchOne(db, sql: #"SELECT "姓名" FROM RK_001 WHERE "公民身份号码" = ?"#, arguments: [key])
        }
        #expect(corrected == "王更正")
        let actions = try await gx(["audit", "list", "--limit", "1000"], as: nil).stdout
        for action in ["objection.raised", "objection.answered", "objection.closed"] { #expect(actions.contains(action), "\(action)") }
    }
}
