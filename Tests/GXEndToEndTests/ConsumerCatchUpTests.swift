import Foundation
import GXTestSupport
import Testing

/// A consumer that has been away must catch up in one run, however many batches wait for it.
@Suite("A consumer's run applies everything the hub holds")
struct ConsumerCatchUpTests {
    @Test("a consumer without --follow applies every waiting batch, past the hub's 1 000 per list")
    func catchesUpPastOneList() async throws {
        let world = try await CrashRecoveryTests.world()
        defer { world.hub.stop() }
        // Two records per batch: the new export's changes become well over 1 000 batches.
        let config = try String(contentsOfFile: world.providerConfig, encoding: .utf8)
        let small = config.replacingOccurrences(of: #"resource = "RK-001"\nbatch_records = [0-9]+"#, with: "resource = \"RK-001\"\nbatch_records = 2",
                                                options: .regularExpression)
        try #require(small != config, "the provider's configuration names RK-001")
        try small.write(toFile: world.providerConfig, atomically: true, encoding: .utf8)
        let provided = try await GXBinary.run(["agent", "run", "--json", "--config", world.providerConfig])
        try #require(provided.status == 0, "\(provided.stderr.suffix(2000))")
        let run = try #require((try JSONSerialization.jsonObject(with: Data(provided.stdout.utf8)) as? [String: Any])?["provided"] as? [[String: Any]])
        let batches = try #require(run.first?["batches"] as? [Int])
        try #require(batches.count > 1000, "the pass was cut into \(batches.count) batches")
        let consumed = try await world.agent(world.consumerConfig)
        #expect(consumed.status == 0, "\(consumed.stderr.suffix(2000))")
        try await CrashRecoveryTests().expectConsumerEqualsProvider(world)
        try await CrashRecoveryTests().expectEveryBatchReceiptedOnce(world)
    }
}
