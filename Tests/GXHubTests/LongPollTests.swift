import Foundation
import GXDomain
@testable import GXHub
import GXPostgres
import Logging
import PostgresNIO
import GXStorage
import GXTestSupport
import HummingbirdTesting
import Testing

@Suite("Long polls are woken by accepted batches, not by asking the store")
struct LongPollTests {
    static let list = "/v1/agreements/\(PopulationBatch.agreement)/batches?after=0"

    func activePopulationAgreement(_ backend: StoreBackend) async throws -> HubFixture {
        let fixture = try await HubFixture.loaded(backend)
        try await fixture.hub.withClient { client in
            _ = try await fixture.agreement("RK-001", through: .filed, client: client)
        }
        return fixture
    }

    /// The fixture's hub on a counting store, with a fallback check far longer than any wait in these tests:
    /// only an announcement can answer a waiter early.
    func quietHub(_ fixture: HubFixture) -> (Hub, CountingHubStore) {
        let store = CountingHubStore(fixture.store)
        var hub = Hub(store: store, key: fixture.hub.key, batchDirectory: fixture.hub.batchDirectory, arrivals: BatchArrivals(fallbackInterval: .seconds(120)),
                      payloads: fixture.hub.payloads)
        hub.dataKeys = fixture.hub.dataKeys
        return (hub, store)
    }

    @Test("a waiting long poll asks the store once, not every 100 ms", arguments: StoreBackend.allCases)
    func waitingCostsNoReads(_ backend: StoreBackend) async throws {
        let fixture = try await activePopulationAgreement(backend)
        let (hub, store) = quietHub(fixture)
        let consumer = fixture.party(PopulationBatch.consumer)
        let started = ContinuousClock.now
        let answer = try await hub.withClient { client in
            try await client.call(.get, Self.list + "&wait=2", token: consumer.token).decode(ExchangeAPI.DeliveryList.self)
        }
        #expect(answer.batches.isEmpty)
        #expect(ContinuousClock.now - started >= .seconds(2), "it waited the time asked")
        #expect(store.batchReads <= 2, "\(store.batchReads) reads of the resource's batches while one request waited 2 s")
    }

    @Test("a waiter is answered as soon as a batch is pushed through the same hub", arguments: StoreBackend.allCases)
    func wokenByPushHere(_ backend: StoreBackend) async throws {
        let fixture = try await activePopulationAgreement(backend)
        let (hub, _) = quietHub(fixture)
        let provider = fixture.party(PopulationBatch.provider), consumer = fixture.party(PopulationBatch.consumer)
        let built = try PopulationBatch.build((1...10).map { PopulationBatch.record($0) }, sequence: 1, key: provider.key)
        try await hub.withClient { client in
            async let listed = client.call(.get, Self.list + "&wait=30", token: consumer.token)
            try await waitUntil { hub.arrivals.waiting == 1 }
            try await client.push(built, token: provider.token).expect(.created)
            let pushed = ContinuousClock.now
            #expect(try await listed.decode(ExchangeAPI.DeliveryList.self).batches.map(\.sequence) == [1])
            #expect(ContinuousClock.now - pushed < .seconds(20), "answered on the push, not at the 30 s wait or the 120 s fallback (loose: a loaded machine)")
        }
    }

    @Test("on PostgreSQL a waiter is answered as soon as another hub process accepts a batch (LISTEN/NOTIFY)")
    func wokenByPushElsewhere() async throws {
        let fixture = try await activePopulationAgreement(.postgres)
        let waiting = try await fixture.secondHub(arrivals: BatchArrivals(fallbackInterval: .seconds(120)))
        let listener = Task { try await BatchArrivalListener(hub: waiting).run() }
        defer { listener.cancel() }
        let provider = fixture.party(PopulationBatch.provider), consumer = fixture.party(PopulationBatch.consumer)
        let built = try PopulationBatch.build((1...10).map { PopulationBatch.record($0) }, sequence: 1, key: provider.key)
        // The LISTEN is in place once a notice sent on the channel is heard.
        let settings = try #require(fixture.store as? PostgresHubStore).settings
        try await waitUntil(timeout: .seconds(60)) {
            try await TestPostgres.withConnection(settings) { connection in
                try await connection.run("SELECT pg_notify('gx_batch_accepted', 'probe')", logger: Logger(label: "test"))
            }
            try await Task.sleep(for: .milliseconds(100))
            return waiting.arrivals.mark("probe") > 0
        }
        try await waiting.withClient { waitingClient in
            async let listed = waitingClient.call(.get, Self.list + "&wait=30", token: consumer.token)
            try await waitUntil { waiting.arrivals.waiting == 1 }
            try await fixture.hub.withClient { client in
                try await client.push(built, token: provider.token).expect(.created)
            }
            let pushed = ContinuousClock.now
            #expect(try await listed.decode(ExchangeAPI.DeliveryList.self).batches.map(\.sequence) == [1])
            #expect(ContinuousClock.now - pushed < .seconds(20), "answered by the notification, not at the 30 s wait or the 120 s fallback")
        }
    }

    @Test("an announcement made between reading the store and waiting is not missed")
    func announcementBeforeWaitIsKept() async throws {
        let arrivals = BatchArrivals(fallbackInterval: .seconds(120))
        let mark = arrivals.mark("RK-001")
        arrivals.announce("RK-001")
        let started = ContinuousClock.now
        await arrivals.wait(for: "RK-001", since: mark, until: .now + .seconds(60))
        #expect(ContinuousClock.now - started < .seconds(20), "returned at once, not at the 60 s deadline")
        #expect(arrivals.waiting == 0)
    }

    func waitUntil(timeout: Duration = .seconds(60), _ condition: @Sendable () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await !condition() {
            guard ContinuousClock.now < deadline else { throw FixtureError("condition not met within \(timeout)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
