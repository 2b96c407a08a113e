import Foundation
import GXCrypto
import GXDomain
import GXHub
import GXStorage
import GXTestSupport
import HummingbirdTesting
import Testing

/// The hub masks agreed items while it projects a delivery, on acceptance and on first pull alike.
@Suite("Masked deliveries")
struct MaskedDeliveryTests {
    static let masks: [String: ItemMask] = ["姓名": .keep(head: 1, tail: 0), "出生日期": .year, "户籍地行政区划": .keep(head: 6, tail: 4)]

    /// The population agreement with masks, imported, signed by both and filed (active).
    static func maskedAgreement(_ fixture: HubFixture, client: some TestClientProtocol) async throws -> AgreementTerms {
        var terms = try #require(try SampleDocuments.agreementTerms().first { $0.resourceCode == "RK-001" })
        terms.masks = masks
        try await client.call(.post, "/v1/agreements", token: fixture.adminToken, json: terms).expect(.created)
        try await client.sign(terms, as: fixture.party(terms.consumer)).expect(.ok)
        try await client.sign(terms, as: fixture.party(terms.provider)).expect(.ok)
        try await client.call(.post, "/v1/agreements/\(terms.id)/filing", token: fixture.adminToken,
                              json: HubAPI.Filing(acknowledgedLevels: ["重要"])).expect(.ok)
        return terms
    }

    static func records() -> [CanonicalRecord] {
        [PopulationBatch.record(1, name: "张三丰"), PopulationBatch.record(2, name: "A"), PopulationBatch.record(3, name: "欧阳𠀀明"),
         PopulationBatch.delete(4)]
    }

    /// The delivery of `sequence` as the consumer pulls it: its signed manifest and records.
    static func pull(_ sequence: Int64, _ fixture: HubFixture, client: some TestClientProtocol) async throws -> (DeliveryManifest, [CanonicalRecord]) {
        let consumer = fixture.party(PopulationBatch.consumer)
        let delivery = try await client.call(.get, "/v1/agreements/\(PopulationBatch.agreement)/batches/\(sequence)", token: consumer.token)
        try delivery.expect(.ok)
        let signed = try delivery.deliveryManifest()
        #expect(signed.isSigned(by: fixture.hub.key.publicKey))
        let decoder = try BatchPayloadDecoder(valueCount: signed.content.items.count, maximumRecordBytes: 1 << 20)
        var records: [CanonicalRecord] = []
        try decoder.consume(Array(delivery.body.readableBytesView)) { record, _ in records.append(record) }
        #expect(try decoder.finish().records == signed.content.records)
        return (signed.content, records)
    }

    static func expectMasked(_ manifest: DeliveryManifest, _ records: [CanonicalRecord]) {
        #expect(manifest.masks == ["姓名": "keep:1,0", "出生日期": "year", "户籍地行政区划": "keep:6,4"])
        #expect(manifest.items == ["公民身份号码", "姓名", "性别代码", "出生日期", "户籍地行政区划", "人员状态代码"])
        #expect(records.map(\.values) == [
            [PopulationBatch.citizenID(1), "张**", "1", "1980", "******", "0"],
            [PopulationBatch.citizenID(2), "*", "1", "1980", "******", "0"],
            [PopulationBatch.citizenID(3), "欧***", "1", "1980", "******", "0"],
            [PopulationBatch.citizenID(4), nil, nil, nil, nil, nil],
        ])
        let clear = ["张三丰", "1980-01-01", "110101", "欧阳𠀀明"]
        #expect(!records.contains { $0.values.contains { clear.contains($0 ?? "") } }, "a clear value reached the consumer")
    }

    @Test("a delivery prepared on acceptance holds masked values, and its manifest says which items are masked and how",
          arguments: StoreBackend.allCases)
    func maskedOnAcceptance(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        let provider = fixture.party(PopulationBatch.provider)
        try await fixture.hub.withClient { client in
            _ = try await Self.maskedAgreement(fixture, client: client)
            try await client.push(try PopulationBatch.build(Self.records(), sequence: 1, key: provider.key), token: provider.token).expect(.created)
            #expect(try await fixture.store.delivery(agreementID: PopulationBatch.agreement, sequence: 1) != nil, "not prepared on acceptance")
            let (manifest, records) = try await Self.pull(1, fixture, client: client)
            Self.expectMasked(manifest, records)
        }
    }

    @Test("a delivery projected on first pull is masked exactly as one prepared on acceptance", arguments: StoreBackend.allCases)
    func maskedOnFirstPull(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        let provider = fixture.party(PopulationBatch.provider)
        try await fixture.hub.withClient { client in
            // Pushed before the agreement is active: nothing is prepared, the pull projects it.
            try await client.push(try PopulationBatch.build(Self.records(), sequence: 1, key: provider.key), token: provider.token).expect(.created)
            _ = try await Self.maskedAgreement(fixture, client: client)
            #expect(try await fixture.store.delivery(agreementID: PopulationBatch.agreement, sequence: 1) == nil)
            try await client.push(try PopulationBatch.build(Self.records(), sequence: 2, key: provider.key), token: provider.token).expect(.created)
            let (lazy, lazyRecords) = try await Self.pull(1, fixture, client: client)
            let (prepared, preparedRecords) = try await Self.pull(2, fixture, client: client)
            Self.expectMasked(lazy, lazyRecords)
            #expect(lazy.records == prepared.records && lazyRecords == preparedRecords)
        }
    }

    @Test("an agreement masking a key item, or masking an item with a mask for another type, is refused naming the item",
          arguments: StoreBackend.allCases)
    func badMasksRefused(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        let terms = try #require(try SampleDocuments.agreementTerms().first { $0.resourceCode == "RK-001" })
        var keyMasked = terms, typeMismatch = terms
        keyMasked.masks = ["公民身份号码": .keep(head: 6, tail: 4)]
        typeMismatch.masks = ["姓名": .year]
        try await fixture.hub.withClient { [keyMasked, typeMismatch] client in
            let key = try await client.call(.post, "/v1/agreements", token: fixture.adminToken, json: keyMasked)
            #expect(key.status == .badRequest)
            #expect(key.error?.field == "masks.公民身份号码")
            #expect(key.error?.error.contains("key item") == true)
            let type = try await client.call(.post, "/v1/agreements", token: fixture.adminToken, json: typeMismatch)
            #expect(type.status == .badRequest)
            #expect(type.error?.field == "masks.姓名")
        }
        #expect(try await fixture.store.agreement(id: terms.id) == nil)
    }
}
