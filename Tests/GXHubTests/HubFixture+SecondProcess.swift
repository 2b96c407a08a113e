import Foundation
import GXHub
import GXStorage

extension HubFixture {
    /// A second hub on its own connection to the same database, as another hub process would have: what one
    /// commits, the other must see at once.
    func secondHub(arrivals: BatchArrivals = BatchArrivals()) async throws -> Hub {
        let store: any HubStore
        if let postgres = self.store as? PostgresHubStore {
            let other = PostgresHubStore(settings: postgres.settings, maximumConnections: 3, idleTimeout: .seconds(2))
            Task { try await other.run() }
            try await other.prepare()
            store = other
        } else {
            store = try SQLiteHubStore(path: directory.appendingPathComponent("hub.sqlite").path)
        }
        var second = Hub(store: store, key: hub.key, batchDirectory: hub.batchDirectory, limits: hub.limits, arrivals: arrivals,
                         payloads: Self.payloads(for: store))
        second.dataKeys = hub.dataKeys
        return second
    }
}
