import Foundation
import GXTestSupport
import Testing

/// `gx exchange report` on the morning after: what is a failure, what is a consumer that has not run yet,
/// and the data-quality count of the latest pass.
@Suite("The morning report of the exchange")
struct ExchangeReportTests {
    static let agreement = FollowingConsumerTests.agreement

    static func report(_ world: CrashRecoveryTests.World) async throws -> (status: Int32, row: [String: Any], text: String) {
        let json = try await GXBinary.run(["exchange", "report", "--json", "--hub", world.hub.url,
                                           "--token-file", world.state.appendingPathComponent("hub/admin.token").path])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]], "\(json.stderr)")
        let row = try #require(rows.first { $0["agreement"] as? String == Self.agreement })
        let text = try await GXBinary.run(["exchange", "report", "--hub", world.hub.url,
                                           "--token-file", world.state.appendingPathComponent("hub/admin.token").path])
        #expect(text.status == json.status)
        return (json.status, row, text.stdout)
    }

    @Test("QUARANTINED is the provider's latest pass, not the sum of every pass, and the header says so")
    func quarantineOfTheLatestPass() async throws {
        let world = try await CrashRecoveryTests.world()
        defer { world.hub.stop() }
        // The quickstart's two nights each held back their invalid rows; the third night holds back its own.
        let provided = try await GXBinary.run(["agent", "run", "--json", "--config", world.providerConfig])
        #expect(provided.status == 0, "\(provided.stderr)")
        let run = try #require(try JSONSerialization.jsonObject(with: Data(provided.stdout.utf8)) as? [String: Any])
        let quarantined = try #require((run["provided"] as? [[String: Any]])?.first?["quarantined"] as? Int)
        try #require(quarantined > 0)
        let report = try await Self.report(world)
        #expect(report.row["quarantinedLastPass"] as? Int == quarantined, "\(report.row)")
        #expect(report.text.contains("QUARANTINED (LAST PASS)"), "\(report.text)")
    }

    @Test("a consumer that has not run since its provider's pass is 'awaiting consumer', not a failure: exit 0; once it runs, acknowledged")
    func consumerNotRunYetIsNotAFailure() async throws {
        let world = try await CrashRecoveryTests.world()
        defer { world.hub.stop() }
        await #expect(try world.agent(world.providerConfig).status == 0)
        let waiting = try await Self.report(world)
        #expect(waiting.status == 0, "\(waiting.text)")
        #expect(waiting.row["status"] as? String == "awaiting consumer", "\(waiting.row)")
        #expect(waiting.text.contains("awaiting consumer since"), "\(waiting.text)")
        await #expect(try world.agent(world.consumerConfig).status == 0)
        let done = try await Self.report(world)
        #expect(done.status == 0, "\(done.text)")
        #expect(done.row["status"] as? String == "acknowledged", "\(done.row)")
    }

    @Test("a pass from an earlier night still unacknowledged is overdue: a failure, exit 1")
    func earlierNightUnacknowledgedIsOverdue() async throws {
        let world = try await CrashRecoveryTests.world()
        defer { world.hub.stop() }
        await #expect(try world.agent(world.providerConfig).status == 0)
        try FollowingConsumerTests.moveBatchesToLastNight(world)
        let report = try await Self.report(world)
        #expect(report.status == 1, "\(report.text)")
        #expect(report.row["status"] as? String == "overdue", "\(report.row)")
    }

    /// Issue 21: with one configuration per agency some consumers always ran before their providers, so
    /// the report failed every morning. The nightly unit's own command makes the order not matter.
    @Test("a night in which the consumer's agent runs before its provider's, both as the nightly unit runs them, ends acknowledged")
    func consumerBeforeProviderAsTheUnitRunsThem() async throws {
        let world = try await CrashRecoveryTests.world()
        defer { world.hub.stop() }
        // The quickstart's nights were last night's; tonight's export waits at the provider.
        try FollowingConsumerTests.moveBatchesToLastNight(world)
        let unit = try Self.nightlyUnitArguments()
        #expect(unit.contains("--follow"), "\(unit)")
        // The unit's wait is hours; a test that went wrong should not wait that long (the last value wins).
        let arguments = unit + ["--follow-timeout", "120"]
        let consumer = Task.detached { try await GXBinary.run(arguments + ["--config", world.consumerConfig]) }
        try await Task.sleep(for: .seconds(3))
        let provided = try await GXBinary.run(arguments + ["--config", world.providerConfig])
        #expect(provided.status == 0, "\(provided.stderr)")
        let consumed = try await consumer.value
        #expect(consumed.status == 0, "\(consumed.stderr.suffix(3000))")
        let report = try await Self.report(world)
        #expect(report.status == 0, "\(report.text)")
        #expect(report.row["status"] as? String == "acknowledged", "\(report.row)")
    }

    /// The arguments `Deploy/systemd/gongxiang-agent@.service` gives `gx`, without its `--config`.
    static func nightlyUnitArguments() throws -> [String] {
        let unit = try String(contentsOf: SampleDocuments.root.appendingPathComponent("Deploy/systemd/gongxiang-agent@.service"), encoding: .utf8)
        let line = try #require(unit.split(separator: "\n").first { $0.hasPrefix("ExecStart=") })
        var words = line.dropFirst("ExecStart=".count).split(separator: " ").map(String.init).dropFirst()
        if let config = words.firstIndex(of: "--config") { words.removeSubrange(config...min(config + 1, words.endIndex - 1)) }
        return Array(words)
    }
}
