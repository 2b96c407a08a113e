import Foundation
import GXCrypto
import GXDomain
import GXTestSupport
import Testing

/// A consumer applying to PostgreSQL decodes and verifies the next delivery while the database applies the
/// current one; these tests hold it to applying in order, and never applying what fails its checks.
@Suite("A PostgreSQL consumer decoding ahead")
struct StagedConsumerTests {
    @Test("a delivery that fails its checks is not applied, the ones before it are, and the next run stops at it again")
    func tamperedDeliveryStopsTheRun() async throws {
        let world = try await PostgresWorld.make()
        // Deliveries are read from the database, where this test damages one: a hub serves what it just wrote
        // from memory otherwise (`--recent-payloads-mb`), as it wrote it.
        let hub = try await world.serve(["--recent-payloads-mb", "0"])
        defer { hub.stop() }
        try await world.setUp(through: hub, agreements: [PopulationBatch.agreement])
        let pair = try #require(try ExchangeTests.pairs().first { $0.agreement == PopulationBatch.agreement })
        let agents = await try AgentsOnPostgres(world: world, hub: hub, pair: pair, provider: try await TestPostgres.freshDatabase(),
                                          consumer: try await TestPostgres.freshDatabase())
        let key = try SM2PrivateKey(pem: try String(contentsOfFile: world.agencyFile(PopulationBatch.provider, "key"), encoding: .utf8))
        let token = try String(contentsOfFile: world.agencyFile(PopulationBatch.provider, "token"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        for sequence in 1...3 {
            let records = (1...40).map { PopulationBatch.record((Int(sequence) - 1) * 40 + $0) }
            let built = try PopulationBatch.build(records, sequence: Int64(sequence), key: key)
            #expect(try await PostgresHubTests.push(built, to: hub, token: token).status == 201)
        }
        // The hub prepared each delivery as it accepted the batch, in its database; damage the second one there.
        // Same length, one byte changed: what the hub signed no longer arrives.
        try await TestPostgres.execute("""
            UPDATE payload_chunks SET bytes = set_byte(bytes, length(bytes) / 2, get_byte(bytes, length(bytes) / 2) # 85)
            WHERE chunk_no = 0 AND payload_id = (SELECT id FROM payloads WHERE name LIKE 'RK-001/deliveries/\(PopulationBatch.agreement)/2-%')
            """, in: world.hubDatabase)
        let damaged = try await TestPostgres.rows("SELECT count(*)::text FROM payloads WHERE name LIKE 'RK-001/deliveries/\(PopulationBatch.agreement)/2-%'",
                                                  in: world.hubDatabase)
        #expect(damaged == [["1"]])

        for run in 1...2 {
            let consumed = try await GXBinary.run(["agent", "run", "--config", agents.consumerConfig])
            #expect(consumed.status != 0, "run \(run) applied a damaged delivery")
            #expect(consumed.stderr.contains("delivery \(PopulationBatch.agreement)#2"), "run \(run): \(consumed.stderr.suffix(2000))")
            let received = try await agents.received()
            #expect(received.count == 40, "run \(run): only the first delivery's rows should be applied, found \(received.count)")
        }
    }
}
