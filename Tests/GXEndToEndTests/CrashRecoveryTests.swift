import Foundation
import GXTestSupport
import Testing

/// Processes killed with SIGKILL at the worst moments (see `CrashPoint`), then run again: the consumer
/// must end with exactly the provider's valid rows, every batch acknowledged once.
@Suite("Crash recovery: agents and hub killed mid-exchange")
struct CrashRecoveryTests {
    static let provider = "111100000000210552"
    static let consumer = "11110000000021063W"

    /// A copy of the quickstart's world after two nights, its hub serving again, and a third night's export
    /// (a different seed: every row changes) waiting at the provider.
    struct World {
        var state: URL
        var hub: HubProcess
        var hubDatabase: String
        var providerConfig: String { state.appendingPathComponent("agents/\(CrashRecoveryTests.provider)/agent.toml").path }
        var consumerConfig: String { state.appendingPathComponent("agents/\(CrashRecoveryTests.consumer)/agent.toml").path }

        func agent(_ config: String, crashAt point: String? = nil, after: Int = 0, environment more: [String: String] = [:]) async throws -> ProcessResult {
            var environment = more
            if let point { environment.merge(["GX_CRASH_AT": point, "GX_CRASH_AFTER": String(after)]) { $1 } }
            return try await GXBinary.run(["agent", "run", "--config", config], environment: environment)
        }

        /// Points every agent at `hub`.
        func retarget(_ hub: HubProcess) throws {
            for config in [providerConfig, consumerConfig] {
                let text = try String(contentsOfFile: config, encoding: .utf8)
                    .replacingOccurrences(of: #"hub = "[^"]*""#, with: "hub = \"\(hub.url)\"", options: .regularExpression)
                try text.write(toFile: config, atomically: true, encoding: .utf8)
            }
        }
    }

    static func world(hubEnvironment: [String: String] = [:]) async throws -> World {
        let run = try await Quickstart.run()
        try #require(run.result.status == 0)
        let state = try temporaryDirectory("crash")
        try FileManager.default.removeItem(at: state)
        try run.copyState(to: state)
        let database = state.appendingPathComponent("hub/hub.sqlite").path
        let hub = try await HubProcess(database: database, directory: state, environment: hubEnvironment)
        let world = World(state: state, hub: hub, hubDatabase: database)
        try world.retarget(hub)
        let sample = try await GXBinary.run(["sample", "--resource", "RK-001", "--rows", "3000", "--seed", "7", "--invalid-every", "250",
                                       "--out", state.appendingPathComponent("agents/\(provider)/data/RK-001.csv").path])
        try #require(sample.status == 0, "\(sample.stderr)")
        return world
    }

    func expectConsumerEqualsProvider(_ world: World) async throws {
        let pair = try #require(try ExchangeTests.pairs().first { $0.agreement == "BJ-GX-2026-004" })
        let expected = try await ExchangeTests.expectedLines(pair, state: world.state)
        let received = try ExchangeTests.receivedLines(pair, state: world.state)
        #expect(received.count == expected.count)
        #expect(received == expected)
    }

    /// Every accepted batch of RK-001 has exactly one receipt.
    func expectEveryBatchReceiptedOnce(_ world: World) async throws {
        let report = try await GXBinary.run(["exchange", "report", "--json", "--hub", world.hub.url,
                                       "--token-file", world.state.appendingPathComponent("hub/admin.token").path])
        #expect(report.status == 0, "\(report.stdout)\(report.stderr)")
        #expect(report.stdout.contains("\"acknowledged\""))
    }

    @Test("a provider killed after spooling, before pushing, resends the same batches and nothing is lost",
          arguments: ["provider.spooled", "provider.accepted-unrecorded"])
    func providerKilled(point: String) async throws {
        let world = try await Self.world()
        defer { world.hub.stop() }
        let crashed = try await world.agent(world.providerConfig, crashAt: point)
        #expect(crashed.status != 0, "the crash point \(point) was not reached")
        let resumed = try await world.agent(world.providerConfig)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let consumed = try await world.agent(world.consumerConfig)
        #expect(consumed.status == 0, "\(consumed.stderr)")
        try await expectConsumerEqualsProvider(world)
        try await expectEveryBatchReceiptedOnce(world)
    }

    /// Issue 14: a provider killed mid-pass used to resend its spooled batches and then, its snapshot not
    /// moved, diff the whole pass again (398 902 upserts sent for 199 200 changed rows).
    @Test("a provider killed mid-pass, after the hub accepted some of its batches, sends each change once: accepted batches go into its snapshot")
    func providerKilledMidPassSendsEachChangeOnce() async throws {
        let world = try await Self.world()
        defer { world.hub.stop() }
        let batchRecords = 500
        let config = try String(contentsOfFile: world.providerConfig, encoding: .utf8)
            .replacingOccurrences(of: "batch_records = 2000", with: "batch_records = \(batchRecords)")
        try config.write(toFile: world.providerConfig, atomically: true, encoding: .utf8)
        // The changes the pass should send: the third export's rows not held yet, and the keys it no longer has.
        let pair = try #require(try ExchangeTests.pairs().first { $0.agreement == "BJ-GX-2026-004" })
        let held = try ExchangeTests.receivedLines(pair, state: world.state)
        let exported = try await ExchangeTests.expectedLines(pair, state: world.state)
        func key(_ line: String) -> Substring { line.split(separator: ",", maxSplits: 2)[1] }
        let changes = exported.subtracting(held).count + Set(held.map(key)).subtracting(exported.map(key)).count
        let sentBefore = try await Self.recordsSent(world)
        // Killed when the hub has accepted its fourth batch of the pass, before the agent recorded it.
        let crashed = try await world.agent(world.providerConfig, crashAt: "provider.accepted-unrecorded", after: 3)
        #expect(crashed.status != 0, "the crash point was not reached")
        let resumed = try await world.agent(world.providerConfig)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let sent = try await Self.recordsSent(world) - sentBefore
        // At most one batch of repetition (the one in flight is resent with its very manifest, which the hub
        // answers as already accepted, so in fact none).
        #expect(sent >= changes && sent <= changes + batchRecords, "\(sent) records sent for \(changes) changes")
        await #expect(try world.agent(world.consumerConfig).status == 0)
        try await expectConsumerEqualsProvider(world)
        try await expectEveryBatchReceiptedOnce(world)
    }

    /// Upserts and deletes in every batch of RK-001 the hub accepted, as `gx exchange report` sums them.
    static func recordsSent(_ world: World) async throws -> Int {
        let report = try await GXBinary.run(["exchange", "report", "--json", "--hub", world.hub.url,
                                             "--token-file", world.state.appendingPathComponent("hub/admin.token").path])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [[String: Any]], "\(report.stderr)")
        let row = try #require(rows.first { $0["agreement"] as? String == "BJ-GX-2026-004" })
        return (row["upsertsSent"] as? Int ?? 0) + (row["deletesSent"] as? Int ?? 0)
    }

    @Test("a consumer killed after pulling, mid-apply or before its receipt ends with every row exactly once",
          arguments: [("consumer.pulled", 0), ("consumer.applying", 1500), ("consumer.applied-unreceipted", 0)])
    func consumerKilled(point: String, after: Int) async throws {
        let world = try await Self.world()
        defer { world.hub.stop() }
        await #expect(try world.agent(world.providerConfig).status == 0)
        let crashed = try await world.agent(world.consumerConfig, crashAt: point, after: after)
        #expect(crashed.status != 0, "the crash point \(point) was not reached")
        let resumed = try await world.agent(world.consumerConfig)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        try await expectConsumerEqualsProvider(world)
        try await expectEveryBatchReceiptedOnce(world)
    }

    @Test("a hub killed mid-upload keeps nothing of it, and the next run completes the night")
    func hubKilledMidUpload() async throws {
        var world = try await Self.world(hubEnvironment: ["GX_CRASH_AT": "hub.receiving"])
        let cutOff = try await world.agent(world.providerConfig)
        #expect(cutOff.status == 4, "\(cutOff.stderr)")
        _ = try await await world.hub.terminate()
        let incoming = world.state.appendingPathComponent("hub/batches/incoming").path
        #expect(!((try? FileManager.default.contentsOfDirectory(atPath: incoming)) ?? []).isEmpty, "no partial upload to clean")
        world.hub = try await HubProcess(database: world.hubDatabase, directory: world.state)
        defer { world.hub.stop() }
        try world.retarget(world.hub)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: incoming)) ?? []).isEmpty, "a partial upload was kept")
        let resumed = try await world.agent(world.providerConfig)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        await #expect(try world.agent(world.consumerConfig).status == 0)
        try await expectConsumerEqualsProvider(world)
        try await expectEveryBatchReceiptedOnce(world)
    }

    @Test("files holding records — spooled by the provider, stored and delivered by the hub, downloaded by the consumer — are readable by their owner only")
    func recordFilesAreOwnerOnly() async throws {
        let world = try await Self.world()
        defer { world.hub.stop() }
        let agents = world.state.appendingPathComponent("agents")
        await #expect(try world.agent(world.providerConfig, crashAt: "provider.spooled").status != 0)
        try Self.expectOwnerOnly(Self.files(under: agents.appendingPathComponent(Self.provider), in: "spool"), "spooled batches")
        await #expect(try world.agent(world.providerConfig).status == 0)
        try Self.expectOwnerOnly(Self.files(under: world.state.appendingPathComponent("hub/batches"), in: nil), "the hub's batches and deliveries")
        // Deliveries too large to apply from memory (here: all of them) are downloaded to files first.
        await #expect(try world.agent(world.consumerConfig, crashAt: "consumer.pulled", environment: ["GX_DELIVERY_MEMORY": "0"]).status != 0)
        try Self.expectOwnerOnly(Self.files(under: agents.appendingPathComponent(Self.consumer), in: "incoming"), "downloaded deliveries")
    }

    @Test("a delivery small enough to apply from memory is never written to the consumer's disk")
    func smallDeliveryDoesNotRestOnDisk() async throws {
        let world = try await Self.world()
        defer { world.hub.stop() }
        let consumer = world.state.appendingPathComponent("agents/\(Self.consumer)")
        await #expect(try world.agent(world.providerConfig).status == 0)
        await #expect(try world.agent(world.consumerConfig, crashAt: "consumer.pulled").status != 0)
        #expect(try Self.files(under: consumer, in: "incoming").isEmpty, "a downloaded delivery was written")
        await #expect(try world.agent(world.consumerConfig).status == 0)
        try await expectConsumerEqualsProvider(world)
    }

    /// Regular files below `root`, only those in a folder named `folder` when one is given.
    static func files(under root: URL, in folder: String?) throws -> [String] {
        let enumerator = try #require(FileManager.default.enumerator(atPath: root.path))
        return enumerator.compactMap { $0 as? String }
            .filter { folder == nil || $0.split(separator: "/").dropLast().contains(Substring(folder!)) }
            .map { root.appendingPathComponent($0).path }
            .filter { (try? FileManager.default.attributesOfItem(atPath: $0)[.type] as? FileAttributeType) == .typeRegular }
    }

    static func expectOwnerOnly(_ paths: [String], _ what: String) throws {
        #expect(!paths.isEmpty, "no \(what) to check")
        for path in paths {
            let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
            #expect(mode & 0o077 == 0, "\(what): \(path) has mode \(String(mode, radix: 8))")
        }
    }

    @Test("--full resends every row and the consumer still ends with exactly the provider's rows")
    func fullResend() async throws {
        let world = try await Self.world()
        defer { world.hub.stop() }
        let full = try await GXBinary.run(["agent", "run", "--full", "--json", "--config", world.providerConfig])
        #expect(full.status == 0, "\(full.stderr)")
        // Every valid row travels again as an upsert, not just the changes.
        let valid = try await ExchangeTests.expectedLines(try #require(try ExchangeTests.pairs().first { $0.resource == "RK-001" }), state: world.state)
        #expect(full.stdout.contains("\"upserts\" : \(valid.count)"), "\(full.stdout)")
        await #expect(try world.agent(world.consumerConfig).status == 0)
        try await expectConsumerEqualsProvider(world)
    }
}
