import Foundation
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
}
