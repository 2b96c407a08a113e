import Foundation
import GXAgent
import GXTestSupport
import Testing

@Suite("A demand from submission to a filed agreement with gx processes")
struct DemandProcessTests {
    @Test("a consumer submits a demand file, the authority forwards it, the provider accepts fewer items, both sign the drawn-up agreement and the authority files it")
    func demandToFiledAgreement() async throws {
        let run = try await Quickstart.run()
        let dir = try temporaryDirectory("demandproc")
        try FileManager.default.copyItem(atPath: run.hubDatabase, toPath: dir.appendingPathComponent("hub.sqlite").path)
        try FileManager.default.copyItem(atPath: run.state.appendingPathComponent("hub/hub.key").path, toPath: dir.appendingPathComponent("hub.key").path)
        let hub = try await HubProcess(database: dir.appendingPathComponent("hub.sqlite").path, directory: dir)
        defer { hub.stop() }
        let consumer = "11110000000021063W", provider = "111100000000210552"
        func gx(_ arguments: [String], as party: String?) async throws -> ProcessResult {
            let token = party.map { run.agencyFile($0, "token") } ?? run.adminToken
            let result = try await GXBinary.run(arguments + ["--hub", hub.url, "--token-file", token])
            #expect(result.status == 0, "gx \(arguments.joined(separator: " ")): \(result.stderr)")
            return result
        }
        let file = dir.appendingPathComponent("demand.toml")
        try """
            resource = "RK-001"
            items = ["姓名", "出生日期", "人员状态代码", "住址"]
            purpose = "社会保险待遇领取资格认证"
            basis = "《中华人民共和国社会保险法》第七十四条"
            valid_from = "2026-01-01"
            valid_until = "2028-12-31"
            """.write(to: file, atomically: true, encoding: .utf8)
        let submitted = try await gx(["demand", "submit", file.path], as: consumer)
        let id = try #require(submitted.stdout.split(separator: " ").first.map(String.init))
        #expect(submitted.stdout.contains("[submitted]") && submitted.stdout.contains("awaiting authority"))
        _ = try await gx(["demand", "review", id, "forward"], as: nil)
        let replied = try await gx(["demand", "reply", id, "accept-fewer", "--refuse-item", "住址=不属于资格认证所必需"], as: provider)
        #expect(replied.stdout.contains("[partially_granted]"))
        let terms = try await gx(["demand", "terms", id], as: consumer).stdout
        #expect(terms.contains("items = [\"公民身份号码\", \"姓名\", \"出生日期\", \"人员状态代码\"]"))
        #expect(terms.contains("demand = \"\(id)\""))
        let agreement = try #require(terms.split(separator: "\n").first { $0.hasPrefix("id = ") }.map { String($0.dropFirst(6).dropLast()) })
        _ = try await gx(["agreement", "sign", agreement, "--key", run.agencyFile(consumer, "key")], as: consumer)
        _ = try await gx(["agreement", "sign", agreement, "--key", run.agencyFile(provider, "key")], as: provider)
        let filed = try await gx(["agreement", "file", agreement, "--acknowledge-levels", "重要"], as: nil)
        #expect(filed.stdout.contains("\(agreement): active"))
        let shown = try await gx(["demand", "show", id, "--json"], as: consumer).stdout
        #expect(shown.contains("\"agreement\":\"\(agreement)\"") || shown.contains("\"agreement\" : \"\(agreement)\""))
    }

    @Test("an agreement drawn up from a demand and filed carries the provider's data to the consumer's agent, only its items")
    func demandAgreementCarriesData() async throws {
        let world = try await CrashRecoveryTests.world()
        defer { world.hub.stop() }
        let consumer = CrashRecoveryTests.consumer, provider = CrashRecoveryTests.provider
        func gx(_ arguments: [String], as party: String?) async throws -> ProcessResult {
            let token = world.state.appendingPathComponent(party.map { "agencies/\($0).token" } ?? "hub/admin.token").path
            let result = try await GXBinary.run(arguments + ["--hub", world.hub.url, "--token-file", token])
            #expect(result.status == 0, "gx \(arguments.joined(separator: " ")): \(result.stderr)")
            return result
        }
        let file = world.state.appendingPathComponent("demand.toml")
        try """
            resource = "RK-001"
            items = ["姓名", "出生日期", "住址"]
            purpose = "核对参保人员居住地"
            basis = "《中华人民共和国社会保险法》第七十四条"
            valid_from = "2026-01-01"
            valid_until = "2028-12-31"
            """.write(to: file, atomically: true, encoding: .utf8)
        let id = try #require(try await gx(["demand", "submit", file.path], as: consumer).stdout.split(separator: " ").first.map(String.init))
        _ = try await gx(["demand", "review", id, "forward"], as: nil)
        _ = try await gx(["demand", "reply", id, "accept"], as: provider)
        let terms = try await gx(["demand", "terms", id], as: consumer).stdout
        let agreement = try #require(terms.split(separator: "\n").first { $0.hasPrefix("id = ") }.map { String($0.dropFirst(6).dropLast()) })
        for party in [consumer, provider] {
            _ = try await gx(["agreement", "sign", agreement, "--key", world.state.appendingPathComponent("agencies/\(party).key").path], as: party)
        }
        #expect(try await gx(["agreement", "file", agreement, "--acknowledge-levels", "重要"], as: nil).stdout.contains("\(agreement): active"))

        // The consumer's agent receives the new agreement into its own table; the provider pushes its next night.
        let agentDirectory = world.state.appendingPathComponent("agents/\(consumer)")
        let items = ["公民身份号码", "姓名", "出生日期", "住址"]
        let config = agentDirectory.appendingPathComponent("demand-agent.toml")
        try ([
            "hub = \"\(world.hub.url)\"", "agency = \"\(consumer)\"", "token_file = \"../../agencies/\(consumer).token\"",
            "key_file = \"../../agencies/\(consumer).key\"", "hub_key_file = \"../../hub/hub.pub\"", "state_dir = \"demand-state\"", "",
            "[[consume]]", "agreement = \"\(agreement)\"", "[consume.sink]", "kind = \"sqlite\"", "path = \"data/demand.sqlite\"",
            "table = \"RK_001\"", "key = [\"公民身份号码\"]", "create = true", "",
        ] + items.flatMap { ["[[consume.map]]", "item = \"\($0)\"", "column = \"\($0)\"", ""] }).joined(separator: "\n")
            .write(to: config, atomically: true, encoding: .utf8)
        let pushed = try await world.agent(world.providerConfig)
        #expect(pushed.status == 0, "\(pushed.stderr)")
        let consumed = try await world.agent(config.path)
        #expect(consumed.status == 0, "\(consumed.stderr)")

        let pair = ExchangeTests.Pair(agreement: agreement, provider: provider, consumer: consumer, resource: "RK-001", items: items)
        let source = try SQLiteSource(path: agentDirectory.appendingPathComponent("data/demand.sqlite").path, table: "RK_001",
                                      keyColumns: ["公民身份号码"], cursorColumn: nil)
        #expect(try source.columns() == items)
        var rows: [[String?]] = []
        try source.scan(after: nil) { rows.append($0.values) }
        let received = try ExchangeTests.canonicalLines(pair, columns: try source.columns(), rows: rows)
        let expected = try await ExchangeTests.expectedLines(pair, state: world.state)
        #expect(!expected.isEmpty && received == expected)
    }
}
