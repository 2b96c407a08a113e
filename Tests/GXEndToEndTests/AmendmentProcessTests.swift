import Foundation
import GXAgent
import GXTestSupport
import Testing

/// Amendments with real processes: `gx agreement amend`, both `gx agreement sign`s and `gx agreement file`
/// against a serving hub, then the agents' nights before and after the filing.
@Suite("An amendment that adds an item, with gx processes and agents")
struct AmendmentProcessTests {
    static let agreement = "BJ-GX-2026-004"
    static let address = "住址"

    /// Adds `[[consume.map]]` for `item` (a column of its name) to the consumer block of `agreement`.
    static func mapItem(_ item: String, of agreement: String, in config: String) throws {
        var lines = try String(contentsOfFile: config, encoding: .utf8).components(separatedBy: "\n")
        let start = try #require(lines.firstIndex(of: "agreement = \"\(agreement)\""))
        let end = lines[(start + 1)...].firstIndex(of: "[[consume]]") ?? lines.endIndex
        lines.insert(contentsOf: ["", "[[consume.map]]", "item = \"\(item)\"", "column = \"\(item)\"", ""], at: end)
        try lines.joined(separator: "\n").write(toFile: config, atomically: true, encoding: .utf8)
    }

    @Test("gx agreement file --help says an amendment's items above 一般 need --acknowledge-levels too")
    func fileHelpNamesAmendmentLevels() async throws {
        let help = try await GXBinary.run(["agreement", "file", "--help"])
        let text = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(text.contains("so is an amendment whose items (added or kept) include any above 一般"), "\(help.stdout)")
        #expect(text.contains("--acknowledge-levels 重要 when it adds 住址 (重要)"), "\(help.stdout)")
    }

    @Test("a batch pushed before the amendment is filed arrives with the old items; after filing the consumer's table gains the new item's column and the next batches fill it")
    func addedItemReachesTheConsumerTable() async throws {
        let world = try await CrashRecoveryTests.world()
        defer { world.hub.stop() }
        let consumer = CrashRecoveryTests.consumer, provider = CrashRecoveryTests.provider
        func gx(_ arguments: [String], as party: String?) async throws -> ProcessResult {
            let token = world.state.appendingPathComponent(party.map { "agencies/\($0).token" } ?? "hub/admin.token").path
            let result = try await GXBinary.run(arguments + ["--hub", world.hub.url, "--token-file", token])
            #expect(result.status == 0, "gx \(arguments.joined(separator: " ")): \(result.stderr)")
            return result
        }
        func key(_ party: String) -> String { world.state.appendingPathComponent("agencies/\(party).key").path }

        let proposed = try await gx(["agreement", "amend", Self.agreement, "--add-item", Self.address, "--reason", "核对参保人员居住地"], as: consumer)
        #expect(proposed.stdout.contains("amendment 1 proposed, awaiting \(consumer)"))
        _ = try await gx(["agreement", "sign", Self.agreement, "--key", key(consumer)], as: consumer)
        let signed = try await gx(["agreement", "sign", Self.agreement, "--key", key(provider)], as: provider)
        #expect(signed.stdout.contains("amendment 1 signed_by_provider"))
        // Night 3 is pushed while the amendment awaits filing: projected to the terms in force.
        let night3 = try await world.agent(world.providerConfig)
        #expect(night3.status == 0, "\(night3.stderr)")
        // 住址 is 重要, as are the kept 公民身份号码 and 姓名: the authority must acknowledge the level to file.
        let unacknowledged = try await GXBinary.run(["agreement", "file", Self.agreement, "--hub", world.hub.url,
                                                     "--token-file", world.state.appendingPathComponent("hub/admin.token").path])
        #expect(unacknowledged.status != 0 && unacknowledged.stderr.contains("acknowledged_levels") && unacknowledged.stderr.contains("重要"),
                "\(unacknowledged.stderr)")
        let filed = try await gx(["agreement", "file", Self.agreement, "--acknowledge-levels", "重要"], as: nil)
        #expect(filed.stdout.contains("active, amendment 1 in force"))

        // The consumer maps the new item; the provider's night 4 resends every row (`--full`) so each gets it.
        try Self.mapItem(Self.address, of: Self.agreement, in: world.consumerConfig)
        let sample = try await GXBinary.run(["sample", "--resource", "RK-001", "--rows", "3000", "--seed", "8", "--invalid-every", "250",
                                             "--out", world.state.appendingPathComponent("agents/\(provider)/data/RK-001.csv").path])
        try #require(sample.status == 0, "\(sample.stderr)")
        let night4 = try await GXBinary.run(["agent", "run", "--full", "--config", world.providerConfig])
        #expect(night4.status == 0, "\(night4.stderr)")
        let consumed = try await world.agent(world.consumerConfig)
        #expect(consumed.status == 0, "\(consumed.stderr)")

        var pair = try #require(try ExchangeTests.pairs().first { $0.agreement == Self.agreement })
        pair.items.append(Self.address)
        let received = try ExchangeTests.receivedLines(pair, state: world.state)
        let expected = try await ExchangeTests.expectedLines(pair, state: world.state)
        #expect(received.count == expected.count && received == expected)

        let shown = try await gx(["agreement", "show", Self.agreement], as: consumer).stdout
        #expect(shown.contains("revision 0, superseded"), "\(shown)")
        #expect(shown.contains("revision 1, in force"), "\(shown)")
    }
}
