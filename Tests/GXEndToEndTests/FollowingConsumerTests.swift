import Foundation
import GRDB
import GXTestSupport
import Testing

/// `gx agent run --follow`: a consumer started beside its provider applies each batch as it is pushed and
/// stops once it has applied the batch that ends the provider's pass.
@Suite("A consumer following its provider's pass")
struct FollowingConsumerTests {
    static let agreement = "BJ-GX-2026-004"

    static func follow(_ world: CrashRecoveryTests.World, timeout: Int) async throws -> ProcessResult {
        try await GXBinary.run(["agent", "run", "--follow", "--follow-timeout", String(timeout), "--config", world.consumerConfig])
    }

    @Test("a consumer started before its provider waits, applies the whole pass as it arrives, and exits at its end")
    func startedBeforeTheProvider() async throws {
        let world = try await CrashRecoveryTests.world()
        defer { world.hub.stop() }
        // The quickstart's nights were last night's; tonight's pass is still to come.
        try Self.moveBatchesToLastNight(world)
        let consumer = Task.detached { try await Self.follow(world, timeout: 120) }
        // The consumer asks the hub before the provider has pushed anything of the night.
        try await Task.sleep(for: .seconds(2))
        let provided = try await world.agent(world.providerConfig)
        #expect(provided.status == 0, "\(provided.stderr)")
        let consumed = try await consumer.value
        #expect(consumed.status == 0, "\(consumed.stderr.suffix(3000))")
        #expect(consumed.stderr.contains("waiting for the provider's pass to end"), "\(consumed.stderr.suffix(3000))")
        try await CrashRecoveryTests().expectConsumerEqualsProvider(world)
    }

    @Test("a consumer whose provider already ended its pass applies it and exits without waiting")
    func providerAlreadyDone() async throws {
        let world = try await CrashRecoveryTests.world()
        defer { world.hub.stop() }
        await #expect(try world.agent(world.providerConfig).status == 0)
        let consumed = try await Self.follow(world, timeout: 120)
        #expect(consumed.status == 0, "\(consumed.stderr.suffix(3000))")
        #expect(!consumed.stderr.contains("waiting for the provider's pass to end"), "\(consumed.stderr.suffix(3000))")
        try await CrashRecoveryTests().expectConsumerEqualsProvider(world)
    }

    @Test("a consumer whose provider never ends tonight's pass gives up after its timeout, naming the agreement, exit 1")
    func noPassEndTimesOut() async throws {
        let world = try await CrashRecoveryTests.world()
        defer { world.hub.stop() }
        // The quickstart's nights were applied already, and they were last night's: tonight's pass never comes.
        try Self.moveBatchesToLastNight(world)
        let consumed = try await Self.follow(world, timeout: 2)
        #expect(consumed.status == 1, "\(consumed.stderr.suffix(3000))")
        #expect(consumed.stderr.contains("following \(Self.agreement): no new delivery for 2 s and the provider's pass has not ended"),
                "\(consumed.stderr.suffix(3000))")
    }

    @Test("a consumer that already applied tonight's pass exits 0 at once")
    func tonightsPassAlreadyApplied() async throws {
        let world = try await CrashRecoveryTests.world()
        defer { world.hub.stop() }
        // The quickstart's second night ended its pass minutes ago, and the consumer applied it.
        let consumed = try await Self.follow(world, timeout: 60)
        #expect(consumed.status == 0, "\(consumed.stderr.suffix(3000))")
        #expect(!consumed.stderr.contains("waiting for the provider's pass to end"), "\(consumed.stderr.suffix(3000))")
    }

    /// Issue 21: last night the consumer ran before its provider, so its checkpoint sits behind last night's
    /// end of pass. Tonight it must apply that, then wait for tonight's pass, not stop at last night's mark.
    @Test("a consumer behind last night's end of pass applies it, waits for tonight's pass and applies it before exiting 0")
    func behindLastNightsPassEnd() async throws {
        let world = try await CrashRecoveryTests.world()
        defer { world.hub.stop() }
        // Last night: the consumer had run already when its provider pushed the pass (the third export).
        let lastNight = try await world.agent(world.providerConfig)
        #expect(lastNight.status == 0, "\(lastNight.stderr)")
        try Self.moveBatchesToLastNight(world)
        // Tonight: a new export; the consumer starts first, the provider a little later.
        let sample = try await GXBinary.run(["sample", "--resource", "RK-001", "--rows", "3000", "--seed", "8", "--invalid-every", "250",
                                             "--out", world.state.appendingPathComponent("agents/\(CrashRecoveryTests.provider)/data/RK-001.csv").path])
        try #require(sample.status == 0, "\(sample.stderr)")
        let consumer = Task.detached { try await Self.follow(world, timeout: 120) }
        try await Task.sleep(for: .seconds(3))
        let tonight = try await world.agent(world.providerConfig)
        #expect(tonight.status == 0, "\(tonight.stderr)")
        let consumed = try await consumer.value
        #expect(consumed.status == 0, "\(consumed.stderr.suffix(3000))")
        // It holds tonight's export, not last night's.
        try await CrashRecoveryTests().expectConsumerEqualsProvider(world)
    }

    @Test("a consumer behind last night's end of pass whose provider does not run tonight applies last night's and exits 1 naming the agreement")
    func behindLastNightsPassEndProviderAbsent() async throws {
        let world = try await CrashRecoveryTests.world()
        defer { world.hub.stop() }
        await #expect(try world.agent(world.providerConfig).status == 0)
        try Self.moveBatchesToLastNight(world)
        let consumed = try await Self.follow(world, timeout: 3)
        #expect(consumed.status == 1, "\(consumed.stderr.suffix(3000))")
        #expect(consumed.stderr.contains("following \(Self.agreement): no new delivery for 3 s"), "\(consumed.stderr.suffix(3000))")
        // Last night's pass was applied all the same.
        try await CrashRecoveryTests().expectConsumerEqualsProvider(world)
    }

    @Test("agreements followed one after the other share one wait: two whose providers never come give up together, each named")
    func agreementsShareOneWait() async throws {
        let world = try await CrashRecoveryTests.world()
        defer { world.hub.stop() }
        try Self.moveBatchesToLastNight(world)
        // 11110000000021020F consumes BJ-GX-2026-001 and BJ-GX-2026-002; neither provider runs tonight.
        let config = world.state.appendingPathComponent("agents/11110000000021020F/agent.toml").path
        try String(contentsOfFile: config, encoding: .utf8)
            .replacingOccurrences(of: #"hub = "[^"]*""#, with: "hub = \"\(world.hub.url)\"", options: .regularExpression)
            .write(toFile: config, atomically: true, encoding: .utf8)
        let started = ContinuousClock.now
        let consumed = try await GXBinary.run(["agent", "run", "--follow", "--follow-timeout", "15", "--config", config])
        let elapsed = ContinuousClock.now - started
        #expect(consumed.status == 1, "\(consumed.stderr.suffix(3000))")
        #expect(consumed.stderr.contains("following BJ-GX-2026-001: no new delivery") && consumed.stderr.contains("following BJ-GX-2026-002: no new delivery"),
                "\(consumed.stderr.suffix(3000))")
        // One wait of 15 s for both, not 15 s each (30 s); the margin is for a loaded machine.
        #expect(elapsed < .seconds(27), "\(elapsed)")
    }

    /// Issue 21: every provider run pushes a batch even when nothing changed, and every consumer downloaded it.
    @Test("a pass that changed nothing ends with a batch without records, which the consumer acknowledges without downloading a payload")
    func unchangedPassCostsNoDownload() async throws {
        let world = try await CrashRecoveryTests.world()
        defer { world.hub.stop() }
        await #expect(try world.agent(world.providerConfig).status == 0)
        await #expect(try world.agent(world.consumerConfig).status == 0)
        // The same export again: the pass changes nothing and ends with one batch without records.
        let again = try await GXBinary.run(["agent", "run", "--json", "--config", world.providerConfig])
        #expect(again.status == 0, "\(again.stderr)")
        let run = try #require((try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])?["provided"] as? [[String: Any]])
        #expect(run.first?["upserts"] as? Int == 0 && run.first?["deletes"] as? Int == 0, "\(again.stdout)")
        #expect((run.first?["batches"] as? [Int])?.count == 1, "\(again.stdout)")
        let downloads = try await Self.payloadDownloads(world)
        #expect(downloads > 0, "the third night's batches were downloaded through this hub")
        let consumed = try await Self.follow(world, timeout: 60)
        #expect(consumed.status == 0, "\(consumed.stderr.suffix(3000))")
        #expect(try await Self.payloadDownloads(world) == downloads, "the consumer downloaded a payload for a batch without records")
        let report = try await ExchangeReportTests.report(world)
        #expect(report.row["status"] as? String == "acknowledged", "\(report.row)")
        try await CrashRecoveryTests().expectConsumerEqualsProvider(world)
    }

    /// Payload downloads the hub has served (`GET /v1/agreements/{id}/batches/{seq}`), from its metrics.
    static func payloadDownloads(_ world: CrashRecoveryTests.World) async throws -> Int {
        let token = try String(contentsOfFile: world.state.appendingPathComponent("hub/admin.token").path, encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let metrics = try await ProcessRunner.run("/usr/bin/curl", ["-fsS", "-H", "Authorization: Bearer \(token)", "\(world.hub.url)/metrics"])
        try #require(metrics.status == 0, "\(metrics.stderr)")
        return metrics.stdout.split(separator: "\n")
            .filter { $0.hasPrefix("gongxiang_http_request_duration_seconds_count{") && $0.contains(#"method="GET""#) && $0.contains(#"/batches/{seq}""#) }
            .compactMap { $0.split(separator: " ").last.flatMap { Int($0) } }
            .reduce(0, +)
    }

    /// Makes every batch on the hub one accepted a day earlier, as if the nights so far had been last night's.
    static func moveBatchesToLastNight(_ world: CrashRecoveryTests.World) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let database = try DatabaseQueue(path: world.hubDatabase, configuration: configuration)
        try database.write { db in
            try db.execute(sql: "UPDATE batches SET accepted_at = strftime('%Y-%m-%dT%H:%M:%fZ', accepted_at, '-1 day')")
        }
        try database.close()
    }

    @Test("only the last batch of a provider's pass carries the end-of-pass mark")
    func onlyTheLastBatchEndsThePass() async throws {
        let world = try await CrashRecoveryTests.world()
        defer { world.hub.stop() }
        let provided = try await GXBinary.run(["agent", "run", "--json", "--config", world.providerConfig])
        #expect(provided.status == 0, "\(provided.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(provided.stdout.utf8)) as? [String: Any]
        let batches = try #require(((report?["provided"] as? [[String: Any]])?.first?["batches"] as? [Int]))
        try #require(batches.count >= 2, "the pass should span several batches: \(batches)")
        // The consumer's view of the hub: what is available after its checkpoint, with the mark.
        let token = try String(contentsOfFile: world.state.appendingPathComponent("agencies/\(CrashRecoveryTests.consumer).token").path, encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let list = try await ProcessRunner.run("/usr/bin/curl", ["-fsS", "-H", "Authorization: Bearer \(token)",
                                                           "\(world.hub.url)/v1/agreements/\(Self.agreement)/batches?after=\(batches[0] - 1)"])
        #expect(list.status == 0, "\(list.stderr)")
        let available = try #require((try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])?["batches"] as? [[String: Any]])
        let marked = available.filter { $0["ends_pass"] as? Bool == true }.compactMap { $0["sequence"] as? Int }
        #expect(marked == [batches.last!], "\(list.stdout)")
    }
}
