import Foundation
import GXCrypto
import GXDomain
import GXHub
import GXPostgres
import GXStorage
import GXTestSupport
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing

/// A PostgreSQL hub keeps its payloads in the database: changed in the transactions of the rows that name
/// them, and carried whole by `pg_dump`.
@Suite("Payloads in PostgreSQL")
struct PostgresPayloadTests {
    /// A PostgreSQL hub with the population agreement filed and batches 1 and 2 pushed, their deliveries
    /// prepared on arrival; batch 1 pulled and acknowledged.
    static func exchanged() async throws -> HubFixture {
        let fixture = try await HubFixture.loaded(.postgres)
        let provider = fixture.party(PopulationBatch.provider), consumer = fixture.party(PopulationBatch.consumer)
        try await fixture.hub.withClient { client in
            _ = try await fixture.agreement("RK-001", through: .filed, client: client)
            try await client.push(try PopulationBatch.build((1...30).map { PopulationBatch.record($0) }, sequence: 1, key: provider.key),
                                  token: provider.token).expect(.created)
            try await client.push(try PopulationBatch.build((31...40).map { PopulationBatch.record($0) }, sequence: 2, key: provider.key),
                                  token: provider.token).expect(.created)
            let delivery = try await client.call(.get, "/v1/agreements/\(PopulationBatch.agreement)/batches/1", token: consumer.token)
            let manifest = try delivery.deliveryManifest().content
            try await client.acknowledge(1, recordsSM3: manifest.records.sm3, upserts: 30, as: consumer).expect(.created)
        }
        return fixture
    }

    static func settings(_ fixture: HubFixture) throws -> PostgresSettings {
        try #require(fixture.store as? PostgresHubStore).settings
    }

    @Test("pruning deletes a batch's payload rows in the transaction that marks it pruned: a prune that fails deletes nothing")
    func pruneDeletesPayloadsWithRows() async throws {
        let fixture = try await Self.exchanged()
        let settings = try Self.settings(fixture)
        let batch1 = try #require(try await fixture.store.batch(resourceCode: "RK-001", sequence: 1)?.payloadPath)
        let delivery1 = try #require(try await fixture.store.delivery(agreementID: PopulationBatch.agreement, sequence: 1)?.payloadPath)
        let before = try await fixture.hub.payloads.names()
        #expect(before.count == 4 && before.contains(batch1) && before.contains(delivery1), "\(before)")
        // The prune's audit entry is refused by the database: its transaction rolls back as a whole.
        try await TestPostgres.withConnection(settings) { connection in
            try await connection.run(PostgresQuery(unsafeSQL: """
                CREATE FUNCTION gx_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$
                """), logger: fixture.hub.logger)
            try await connection.run(PostgresQuery(unsafeSQL: """
                CREATE TRIGGER gx_test_refuse BEFORE INSERT ON audit_entries FOR EACH ROW EXECUTE FUNCTION gx_test_refuse()
                """), logger: fixture.hub.logger)
        }
        let later = Date().addingTimeInterval(8 * 86_400)
        await #expect(throws: (any Error).self) { try await fixture.hub.pruneAcknowledgedBatches(at: later) }
        #expect(try await fixture.hub.payloads.names() == before)
        #expect(try await fixture.store.batch(resourceCode: "RK-001", sequence: 1)?.payloadPath == batch1)

        try await TestPostgres.execute("DROP TRIGGER gx_test_refuse ON audit_entries", in: settings)
        #expect(try await fixture.hub.pruneAcknowledgedBatches(at: later) == ["RK-001#1"])
        let after = try await fixture.hub.payloads.names()
        #expect(after == before.filter { $0 != batch1 && $0 != delivery1 }, "\(after)")
        #expect(try await fixture.store.batch(resourceCode: "RK-001", sequence: 1)?.payloadPath == nil)
        let orphans = try await TestPostgres.rows("SELECT count(*)::text FROM payload_chunks WHERE payload_id NOT IN (SELECT id FROM payloads)", in: settings)
        #expect(orphans == [["0"]])
    }

    @Test("a hub restored from pg_dump alone, with no batch directory, serves its retained deliveries")
    func restoredFromDumpServesDeliveries() async throws {
        let fixture = try await Self.exchanged()
        let source = try Self.settings(fixture)
        #expect(!FileManager.default.fileExists(atPath: fixture.hub.batchDirectory.path), "a PostgreSQL hub wrote payload files")
        let bin = try #require(try FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")
            .compactMap(Int.init).sorted().last.map { "/usr/lib/postgresql/\($0)/bin" }, "no PostgreSQL binaries under /usr/lib/postgresql")
        func url(_ settings: PostgresSettings) -> String {
            "postgres://\(settings.username)@\(settings.host):\(settings.port)/\(settings.database)?sslmode=disable"
        }
        let dump = try temporaryDirectory("pg-dump").appendingPathComponent("hub.dump")
        let dumped = try await ProcessRunner.run("\(bin)/pg_dump", ["--format=custom", "--no-owner", "--file=\(dump.path)", "--dbname=\(url(source))"])
        #expect(dumped.status == 0, "\(dumped.stderr)")
        let target = try await TestPostgres.freshDatabase()
        let restored = try await ProcessRunner.run("\(bin)/pg_restore", ["--no-owner", "--exit-on-error", "--dbname=\(url(target))", dump.path])
        #expect(restored.status == 0, "\(restored.stderr)")

        let store = PostgresHubStore(settings: target, maximumConnections: 3, idleTimeout: .seconds(2))
        Task { try await store.run() }
        try await store.prepare()
        var hub = Hub(store: store, key: fixture.hub.key, batchDirectory: try temporaryDirectory("no-batches").appendingPathComponent("absent"),
                      payloads: PostgresPayloadStore(store: store))
        hub.dataKeys = fixture.hub.dataKeys
        let consumer = fixture.party(PopulationBatch.consumer)
        try await hub.withClient { client in
            for sequence in [1, 2] {
                let pulled = try await client.call(.get, "/v1/agreements/\(PopulationBatch.agreement)/batches/\(sequence)", token: consumer.token)
                try pulled.expect(.ok)
                let manifest = try pulled.deliveryManifest().content
                #expect(SM3.digest(Array(pulled.body.readableBytesView)).hex == manifest.wire.sm3)
                #expect(manifest.counts.upserts == (sequence == 1 ? 30 : 10))
            }
        }
        #expect(!FileManager.default.fileExists(atPath: hub.batchDirectory.path))
    }
}
