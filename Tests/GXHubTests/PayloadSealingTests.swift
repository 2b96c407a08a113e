import Foundation
import GXCrypto
import GXDomain
import GXHub
import GXStorage
import GXTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

/// Records at rest: every payload file the hub keeps is sealed (SM4-CTR + HMAC-SM3) under its data key, and a
/// file that is not what the hub sealed is refused, never served.
@Suite("Payload files sealed at rest")
struct PayloadSealingTests {
    /// A hub with the population agreement filed and one batch of 20 records pushed and prepared for its consumer.
    static func pushed(_ backend: StoreBackend) async throws -> (HubFixture, StoredDelivery) {
        let fixture = try await HubFixture.loaded(backend)
        let provider = fixture.party(PopulationBatch.provider)
        try await fixture.hub.withClient { client in
            _ = try await fixture.agreement("RK-001", through: .filed, client: client)
            try await client.push(try PopulationBatch.build((1...20).map { PopulationBatch.record($0) }, sequence: 1, key: provider.key),
                                  token: provider.token).expect(.created)
        }
        return (fixture, try #require(try await fixture.store.delivery(agreementID: PopulationBatch.agreement, sequence: 1)))
    }

    @Test("the pushed batch and its delivery are kept sealed under the hub's data key, and open to what their manifests describe", arguments: StoreBackend.allCases)
    func payloadsAreSealed(_ backend: StoreBackend) async throws {
        let (fixture, delivery) = try await Self.pushed(backend)
        let batch = try #require(try await fixture.store.batch(resourceCode: "RK-001", sequence: 1))
        let keyring = try #require(fixture.hub.dataKeys)
        let files = try await fixture.storedPayloads()
        #expect(files.count == 2, "\(files)")
        for file in files {
            let bytes = try await fixture.storedBytes(file)
            #expect(Array(bytes.prefix(8)) == SealedFile.magic, "\(file) is not sealed")
            #expect(Array(bytes[8..<16]) == keyring.current.id)
        }
        // Opened from the store, not from what the hub remembers of the delivery it just wrote.
        fixture.hub.recentPayloads.forgetAll()
        #expect(SM3.digest(try await Self.readAll(fixture, try #require(batch.payloadPath))).hex == batch.manifest.wire.sm3)
        #expect(SM3.digest(try await Self.readAll(fixture, try #require(delivery.payloadPath))).hex == delivery.manifest.wire.sm3)
    }

    @Test("a sealed delivery with one byte changed is refused with a 500 naming it, and not a byte of it is served", arguments: StoreBackend.allCases)
    func changedDeliveryIsRefused(_ backend: StoreBackend) async throws {
        let (fixture, delivery) = try await Self.pushed(backend)
        let name = try #require(delivery.payloadPath)
        var bytes = try await fixture.storedBytes(name)
        bytes[bytes.count / 2] ^= 0x40
        try await fixture.replaceStoredBytes(name, with: bytes)
        try await fixture.hub.withClient { client in
            let pulled = try await client.call(.get, "/v1/agreements/\(PopulationBatch.agreement)/batches/1",
                                               token: fixture.party(PopulationBatch.consumer).token)
            #expect(pulled.status == .internalServerError)
            #expect(pulled.text.contains("HMAC-SM3 does not match"), "\(pulled.text)")
            #expect(pulled.headers[.contentType]?.hasPrefix("application/json") == true)
        }
    }

    @Test("a delivery file replaced by its own plaintext is refused: the hub serves only what it sealed", arguments: StoreBackend.allCases)
    func plaintextDeliveryIsRefused(_ backend: StoreBackend) async throws {
        let (fixture, delivery) = try await Self.pushed(backend)
        let name = try #require(delivery.payloadPath)
        try await fixture.replaceStoredBytes(name, with: try await Self.readAll(fixture, name))
        try await fixture.hub.withClient { client in
            let pulled = try await client.call(.get, "/v1/agreements/\(PopulationBatch.agreement)/batches/1",
                                               token: fixture.party(PopulationBatch.consumer).token)
            #expect(pulled.status == .internalServerError)
            #expect(pulled.text.contains("written without a data key"), "\(pulled.text)")
        }
    }

    @Test("after the data key is rotated the hub still serves what the old key sealed, and seals new payloads under the new one", arguments: StoreBackend.allCases)
    func rotationKeepsDeliveriesServed(_ backend: StoreBackend) async throws {
        let (fixture, delivery) = try await Self.pushed(backend)
        let directory = try #require(fixture.hub.dataKeys).directory
        let old = try #require(fixture.hub.dataKeys).current
        try DataKeyring.addKey(in: directory)
        var rotated = fixture.hub
        rotated.dataKeys = try DataKeyring(directory: directory)
        // Hubs restart after a rotation: nothing is remembered, the delivery is opened under the old key.
        rotated.recentPayloads.forgetAll()
        #expect(rotated.dataKeys?.current.id != old.id)
        let provider = fixture.party(PopulationBatch.provider), consumer = fixture.party(PopulationBatch.consumer)
        try await rotated.withClient { client in
            let pulled = try await client.call(.get, "/v1/agreements/\(PopulationBatch.agreement)/batches/1", token: consumer.token)
            try pulled.expect(.ok)
            #expect(SM3.digest(Array(pulled.body.readableBytesView)).hex == delivery.manifest.wire.sm3)
            try await client.push(try PopulationBatch.build([PopulationBatch.record(21)], sequence: 2, key: provider.key), token: provider.token).expect(.created)
        }
        let second = try #require(try await fixture.store.delivery(agreementID: PopulationBatch.agreement, sequence: 2))
        let bytes = try await fixture.storedBytes(try #require(second.payloadPath))
        #expect(Array(bytes[8..<16]) == rotated.dataKeys?.current.id)
    }

    @Test("a delivery pulled soon after its push is served from the hub's memory as it was sealed; once forgotten, from the store")
    func recentDeliveryServedFromMemory() async throws {
        let (fixture, delivery) = try await Self.pushed(.sqlite)
        let name = try #require(delivery.payloadPath)
        #expect(fixture.hub.recentPayloads.remembered.count == 1, "only the delivery, not the pushed batch")
        // The stored copy damaged behind the hub's back (not with the fixture's helper, which makes it forget).
        var bytes = try await fixture.storedBytes(name)
        bytes[bytes.count / 2] ^= 0x40
        try Data(bytes).write(to: fixture.hub.batchDirectory.appendingPathComponent(name))
        let consumer = fixture.party(PopulationBatch.consumer)
        try await fixture.hub.withClient { client in
            let pulled = try await client.call(.get, "/v1/agreements/\(PopulationBatch.agreement)/batches/1", token: consumer.token)
            try pulled.expect(.ok)
            #expect(SM3.digest(Array(pulled.body.readableBytesView)).hex == delivery.manifest.wire.sm3)
            fixture.hub.recentPayloads.forgetAll()
            let again = try await client.call(.get, "/v1/agreements/\(PopulationBatch.agreement)/batches/1", token: consumer.token)
            #expect(again.status == .internalServerError)
            #expect(again.text.contains("HMAC-SM3 does not match"), "\(again.text)")
        }
    }

    /// A kept payload's plaintext, opened as the hub opens it.
    static func readAll(_ fixture: HubFixture, _ name: String) async throws -> [UInt8] {
        let reader = try await fixture.hub.payloads.open(name, keyring: fixture.hub.dataKeys)
        defer { reader.close() }
        var all: [UInt8] = []
        while case let chunk = try await reader.read(upTo: 1 << 20), !chunk.isEmpty { all += chunk }
        return all
    }
}
