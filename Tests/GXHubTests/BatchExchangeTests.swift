import Foundation
import GXCrypto
import GXDomain
import GXHub
import GXStorage
import HTTPTypes
import GXTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

/// 人口 records as 市公安局 would push them (RK-001), for agreement BJ-GX-2026-004 to 市人力社保局.
enum PopulationBatch {
    static let provider = "111100000000210552"
    static let consumer = "11110000000021063W"
    static let agreement = "BJ-GX-2026-004"

    static func citizenID(_ serial: Int) -> String {
        let body = "11010119800101" + String(format: "%03d", serial % 1000)
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let sum = zip(body, weights).reduce(0) { $0 + Int(String($1.0))! * $1.1 }
        return body + String(Array("10X98765432")[sum % 11])
    }

    /// All ten items of the entry, in catalogue order; 住址 and 联系电话 are not agreed with the consumer.
    static func record(_ serial: Int, name: String = "张三") -> CanonicalRecord {
        CanonicalRecord(operation: .upsert, values: [citizenID(serial), name, "1", "01", "1980-01-01", "北京市东城区东华门街道1号",
                                                     "110101", "0", "10", "13800000000"])
    }

    static func delete(_ serial: Int) -> CanonicalRecord {
        CanonicalRecord(operation: .delete, values: [citizenID(serial)] + [String?](repeating: nil, count: 9))
    }

    static let items = ["公民身份号码", "姓名", "性别代码", "民族代码", "出生日期", "住址", "户籍地行政区划", "人员状态代码", "婚姻状况代码", "联系电话"]

    struct Built {
        var manifest: BatchManifest
        var payload: [UInt8]
        var signed: SignedDocument<BatchManifest>
    }

    static func build(_ records: [CanonicalRecord], sequence: Int64, key: SM2PrivateKey, provider: String = provider,
                      tamper: (inout BatchManifest) -> Void = { _ in }) throws -> Built {
        let encoder = try BatchPayloadEncoder()
        var payload: [UInt8] = []
        for record in records { try encoder.append(record) }
        try encoder.finish()
        payload += encoder.takeWire()
        let digests = encoder.digests()
        var manifest = BatchManifest(provider: provider, resourceCode: "RK-001", schemaVersion: "1.0", sequence: sequence, items: items,
                                     changes: ChangeRange(mode: .snapshot, generation: sequence, full: sequence == 1),
                                     counts: encoder.counts, quarantine: [], records: digests.records, wire: digests.wire,
                                     createdAt: "2026-11-23T01:00:00.000Z")
        tamper(&manifest)
        return Built(manifest: manifest, payload: payload, signed: try SignedDocument(signing: manifest, with: key))
    }
}

extension TestResponse {
    /// The hub-signed delivery manifest a pull answered with.
    func deliveryManifest() throws -> SignedDocument<DeliveryManifest> {
        try SignedDocument<DeliveryManifest>(base64Content: headers[HTTPField.Name(ExchangeAPI.manifestHeader)!] ?? "",
                                             base64Signature: headers[HTTPField.Name(ExchangeAPI.signatureHeader)!] ?? "", field: "manifest")
    }
}

extension TestClientProtocol {
    /// The consumer's signed receipt for batch `sequence` of the population agreement.
    func acknowledge(_ sequence: Int64, recordsSM3: String, upserts: Int64, deletes: Int64 = 0, at time: String = "2026-11-23T02:00:00.000Z",
                     as consumer: HubFixture.Party) async throws -> TestResponse {
        let receipt = try SignedDocument(signing: BatchReceipt(agreementID: PopulationBatch.agreement, consumer: consumer.code, resourceCode: "RK-001",
                                                               sequence: sequence, recordsSM3: recordsSM3, upsertsApplied: upserts,
                                                               deletesApplied: deletes, appliedAt: time), with: consumer.key)
        return try await call(.post, "/v1/agreements/\(PopulationBatch.agreement)/batches/\(sequence)/receipt", token: consumer.token,
                              json: ExchangeAPI.SignedReceipt(receipt: receipt.base64Content, signature: receipt.base64Signature))
    }

    func push(_ built: PopulationBatch.Built, token: String, resource: String = "RK-001") async throws -> TestResponse {
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(token)"
        headers[HTTPField.Name(ExchangeAPI.manifestHeader)!] = built.signed.base64Content
        headers[HTTPField.Name(ExchangeAPI.signatureHeader)!] = built.signed.base64Signature
        return try await execute(uri: "/v1/resources/\(resource)/batches", method: .post, headers: headers, body: ByteBuffer(bytes: built.payload))
    }
}

@Suite("Batches: push, delivery of agreed items, receipts, refusals")
struct BatchExchangeTests {
    func activePopulationAgreement() async throws -> HubFixture {
        let fixture = try await HubFixture.loaded()
        try await fixture.hub.withClient { client in
            _ = try await fixture.agreement("RK-001", through: .filed, client: client)
        }
        return fixture
    }

    var providerKeyAndToken: (HubFixture) -> (SM2PrivateKey, String) {
        { ($0.party(PopulationBatch.provider).key, $0.party(PopulationBatch.provider).token) }
    }

    @Test("an accepted batch reaches the consumer with only the agreed items, and its receipt is audited")
    func pushPullReceipt() async throws {
        let fixture = try await activePopulationAgreement()
        let provider = fixture.party(PopulationBatch.provider), consumer = fixture.party(PopulationBatch.consumer)
        let built = try PopulationBatch.build((1...50).map { PopulationBatch.record($0) } + [PopulationBatch.delete(77)], sequence: 1, key: provider.key)
        try await fixture.hub.withClient { client in
            try await client.push(built, token: provider.token).expect(.created)
            let list = try await client.call(.get, "/v1/agreements/\(PopulationBatch.agreement)/batches", token: consumer.token)
                .decode(ExchangeAPI.DeliveryList.self)
            #expect(list.batches.map(\.sequence) == [1])
            let delivery = try await client.call(.get, "/v1/agreements/\(PopulationBatch.agreement)/batches/1", token: consumer.token)
            try delivery.expect(.ok)
            let signed = try delivery.deliveryManifest()
            #expect(signed.isSigned(by: fixture.hub.key.publicKey))
            #expect(signed.content.items == ["公民身份号码", "姓名", "性别代码", "出生日期", "户籍地行政区划", "人员状态代码"])
            #expect(signed.content.providerManifestSM3 == built.signed.sm3)
            let decoder = try BatchPayloadDecoder(valueCount: 6, maximumRecordBytes: 1 << 20)
            var records: [CanonicalRecord] = []
            try decoder.consume(Array(delivery.body.readableBytesView)) { record, _ in records.append(record) }
            let digests = try decoder.finish()
            #expect(digests.records == signed.content.records)
            #expect(records.count == 51)
            #expect(records[0].values == [PopulationBatch.citizenID(1), "张三", "1", "1980-01-01", "110101", "0"])
            #expect(!records.contains { $0.values.contains("13800000000") }, "a non-agreed item travelled")

            try await client.acknowledge(1, recordsSM3: digests.records.sm3, upserts: 50, deletes: 1, as: consumer).expect(.created)
            let batches = try await client.call(.get, "/v1/resources/RK-001/batches", token: provider.token).decode(ExchangeAPI.BatchList.self)
            #expect(batches.batches.first?.receipts.first?.upsertsApplied == 50)
        }
        let actions = try await fixture.store.auditEntries(matching: AuditQuery(limit: 1000)).map(\.action)
        #expect(actions.contains("batch.accepted") && actions.contains("batch.received"))
    }

    @Test("the exact same batch sent again is answered as already accepted")
    func idempotentResend() async throws {
        let fixture = try await activePopulationAgreement()
        let provider = fixture.party(PopulationBatch.provider)
        let built = try PopulationBatch.build([PopulationBatch.record(1)], sequence: 1, key: provider.key)
        try await fixture.hub.withClient { client in
            try await client.push(built, token: provider.token).expect(.created)
            let again = try await client.push(built, token: provider.token)
            try again.expect(.ok)
            #expect(again.text.contains("already accepted"))
        }
        let last = try await fixture.store.lastBatchSequence(resourceCode: "RK-001")
        #expect(last == 1)
    }

    @Test("a batch out of sequence is refused with 409, audited, and nothing is kept")
    func wrongSequence() async throws {
        let fixture = try await activePopulationAgreement()
        let provider = fixture.party(PopulationBatch.provider)
        let built = try PopulationBatch.build([PopulationBatch.record(1)], sequence: 2, key: provider.key)
        try await fixture.hub.withClient { client in
            let response = try await client.push(built, token: provider.token)
            #expect(response.status == .conflict)
            #expect(response.error?.error.contains("expected sequence 1") == true)
        }
        let stored = try await fixture.store.lastBatchSequence(resourceCode: "RK-001")
        #expect(stored == 0)
        let audited = try await fixture.store.auditEntries(matching: AuditQuery(action: "batch.refused", limit: 10))
        #expect(audited.count == 1)
    }

    @Test("a replayed old batch with a different manifest is refused")
    func replayedOldSequence() async throws {
        let fixture = try await activePopulationAgreement()
        let provider = fixture.party(PopulationBatch.provider)
        try await fixture.hub.withClient { client in
            try await client.push(try PopulationBatch.build([PopulationBatch.record(1)], sequence: 1, key: provider.key), token: provider.token).expect(.created)
            let replay = try PopulationBatch.build([PopulationBatch.record(2)], sequence: 1, key: provider.key)
            let response = try await client.push(replay, token: provider.token)
            #expect(response.status == .conflict)
        }
    }

    @Test("a payload whose digest differs from the manifest is refused and nothing is kept")
    func digestMismatch() async throws {
        let fixture = try await activePopulationAgreement()
        let provider = fixture.party(PopulationBatch.provider)
        let built = try PopulationBatch.build([PopulationBatch.record(1)], sequence: 1, key: provider.key) {
            $0.records.sm3 = String(repeating: "0", count: 64)
        }
        try await fixture.hub.withClient { client in
            let response = try await client.push(built, token: provider.token)
            #expect(response.status == .unprocessableContent)
            #expect(response.error?.field == "manifest.records")
        }
        let stored = try await fixture.store.lastBatchSequence(resourceCode: "RK-001")
        #expect(stored == 0)
        let kept = try FileManager.default.subpathsOfDirectory(atPath: fixture.hub.batchDirectory.path).filter { $0.hasSuffix(".deflate") }
        #expect(kept.isEmpty)
    }

    @Test("a manifest not signed by the provider's registered key is refused")
    func badSignature() async throws {
        let fixture = try await activePopulationAgreement()
        let provider = fixture.party(PopulationBatch.provider)
        let built = try PopulationBatch.build([PopulationBatch.record(1)], sequence: 1, key: try SM2PrivateKey.generate())
        try await fixture.hub.withClient { client in
            let response = try await client.push(built, token: provider.token)
            #expect(response.status == .unprocessableContent)
            #expect(response.error?.field == "signature")
        }
    }

    @Test("a batch pushed by an agency that does not provide the resource is refused with 403")
    func nonProvider() async throws {
        let fixture = try await activePopulationAgreement()
        let other = fixture.party(PopulationBatch.consumer)
        let built = try PopulationBatch.build([PopulationBatch.record(1)], sequence: 1, key: other.key, provider: other.code)
        try await fixture.hub.withClient { client in
            let response = try await client.push(built, token: other.token)
            #expect(response.status == .forbidden)
        }
    }

    @Test("a record that breaks the catalogue refuses the batch, naming the record and the item")
    func invalidRecord() async throws {
        let fixture = try await activePopulationAgreement()
        let provider = fixture.party(PopulationBatch.provider)
        var bad = PopulationBatch.record(2)
        bad.values[0] = "110101198001010020"
        let built = try PopulationBatch.build([PopulationBatch.record(1), bad], sequence: 1, key: provider.key)
        try await fixture.hub.withClient { client in
            let response = try await client.push(built, token: provider.token)
            #expect(response.status == .badRequest)
            #expect(response.error?.error.contains("record 2") == true && response.error?.error.contains("公民身份号码") == true, "\(response.text)")
        }
        let stored = try await fixture.store.lastBatchSequence(resourceCode: "RK-001")
        #expect(stored == 0)
    }

    @Test("an agency that is not the agreement's consumer cannot pull under it")
    func pullByNonParty() async throws {
        let fixture = try await activePopulationAgreement()
        let outsider = fixture.party("11110000000021020F")
        try await fixture.hub.withClient { client in
            let response = try await client.call(.get, "/v1/agreements/\(PopulationBatch.agreement)/batches", token: outsider.token)
            #expect(response.status == .forbidden)
        }
        let audited = try await fixture.store.auditEntries(matching: AuditQuery(action: "delivery.refused", limit: 10))
        #expect(audited.count == 1)
    }

    @Test("nothing can be pulled under a suspended agreement, and the refusal is audited")
    func pullUnderSuspended() async throws {
        let fixture = try await activePopulationAgreement()
        let provider = fixture.party(PopulationBatch.provider), consumer = fixture.party(PopulationBatch.consumer)
        try await fixture.hub.withClient { client in
            try await client.push(try PopulationBatch.build([PopulationBatch.record(1)], sequence: 1, key: provider.key), token: provider.token).expect(.created)
            try await client.call(.post, "/v1/agreements/\(PopulationBatch.agreement)/suspension", token: fixture.adminToken,
                                  json: HubAPI.Reason(reason: "核查期间暂停")).expect(.ok)
            let response = try await client.call(.get, "/v1/agreements/\(PopulationBatch.agreement)/batches/1", token: consumer.token)
            #expect(response.status == .forbidden)
            #expect(response.error?.error.contains("suspended") == true)
        }
        let audited = try await fixture.store.auditEntries(matching: AuditQuery(action: "delivery.refused", limit: 10))
        #expect(audited.count == 1)
    }

    @Test("acknowledged batches are pruned after the retention period; unacknowledged ones stay")
    func retentionPrunesOnlyAcknowledged() async throws {
        let fixture = try await activePopulationAgreement()
        let provider = fixture.party(PopulationBatch.provider), consumer = fixture.party(PopulationBatch.consumer)
        try await fixture.hub.withClient { client in
            try await client.push(try PopulationBatch.build([PopulationBatch.record(1)], sequence: 1, key: provider.key), token: provider.token).expect(.created)
            try await client.push(try PopulationBatch.build([PopulationBatch.record(2)], sequence: 2, key: provider.key), token: provider.token).expect(.created)
            let delivery = try await client.call(.get, "/v1/agreements/\(PopulationBatch.agreement)/batches/1", token: consumer.token)
            let manifest = try delivery.deliveryManifest().content
            try await client.acknowledge(1, recordsSM3: manifest.records.sm3, upserts: 1, as: consumer).expect(.created)
        }
        let early = try await fixture.hub.pruneAcknowledgedBatches(at: Date())
        #expect(early.isEmpty, "pruned inside the retention period")
        let pruned = try await fixture.hub.pruneAcknowledgedBatches(at: Date().addingTimeInterval(8 * 86_400))
        #expect(pruned == ["RK-001#1"])
        let first = try await fixture.store.batch(resourceCode: "RK-001", sequence: 1)
        let second = try await fixture.store.batch(resourceCode: "RK-001", sequence: 2)
        #expect(first?.payloadPath == nil && second?.payloadPath != nil)
        let files = try FileManager.default.subpathsOfDirectory(atPath: fixture.hub.batchDirectory.path).filter { $0.hasSuffix(".deflate") }
        #expect(files.count == 1, "\(files)")
        try await fixture.hub.withClient { client in
            let gone = try await client.call(.get, "/v1/agreements/\(PopulationBatch.agreement)/batches/1", token: consumer.token)
            #expect(gone.status == .gone)
        }
    }

    @Test("a batch carrying an item outside the catalogue entry is refused naming the items")
    func nonCatalogueItem() async throws {
        let fixture = try await activePopulationAgreement()
        let provider = fixture.party(PopulationBatch.provider)
        var record = PopulationBatch.record(1)
        record.values.append("O+")
        let built = try PopulationBatch.build([record], sequence: 1, key: provider.key) { $0.items.append("血型") }
        try await fixture.hub.withClient { client in
            let response = try await client.push(built, token: provider.token)
            #expect(response.status == .badRequest)
            #expect(response.error?.field == "items" && response.error?.error.contains("血型") == true, "\(response.text)")
        }
        let refused = try await fixture.store.auditEntries(matching: AuditQuery(action: "batch.refused", limit: 10))
        #expect(refused.count == 1)
    }

    @Test("nothing can be pulled once the agreement's validity has ended")
    func pullUnderExpired() async throws {
        let fixture = try await activePopulationAgreement()
        let provider = fixture.party(PopulationBatch.provider), consumer = fixture.party(PopulationBatch.consumer)
        try await fixture.hub.withClient { client in
            try await client.push(try PopulationBatch.build([PopulationBatch.record(1)], sequence: 1, key: provider.key), token: provider.token).expect(.created)
        }
        let expired = try await fixture.hub.expireDueAgreements(at: Date().addingTimeInterval(3 * 366 * 86_400))
        #expect(expired.contains(PopulationBatch.agreement))
        try await fixture.hub.withClient { client in
            let response = try await client.call(.get, "/v1/agreements/\(PopulationBatch.agreement)/batches/1", token: consumer.token)
            #expect(response.status == .forbidden)
            #expect(response.error?.error.contains("expired") == true, "\(response.text)")
        }
    }

    @Test("a batch acknowledged again at a later time is already recorded; a receipt with other counts is a conflict")
    func repeatedReceipts() async throws {
        let fixture = try await activePopulationAgreement()
        let provider = fixture.party(PopulationBatch.provider), consumer = fixture.party(PopulationBatch.consumer)
        try await fixture.hub.withClient { client in
            try await client.push(try PopulationBatch.build([PopulationBatch.record(1)], sequence: 1, key: provider.key), token: provider.token).expect(.created)
            let delivery = try await client.call(.get, "/v1/agreements/\(PopulationBatch.agreement)/batches/1", token: consumer.token)
            let sm3 = try delivery.deliveryManifest().content.records.sm3
            try await client.acknowledge(1, recordsSM3: sm3, upserts: 1, as: consumer).expect(.created)
            let again = try await client.acknowledge(1, recordsSM3: sm3, upserts: 1, at: "2026-11-24T02:00:00.000Z", as: consumer)
            #expect(again.status == .ok && again.text.contains("already recorded"))
            let other = try await client.acknowledge(1, recordsSM3: sm3, upserts: 2, at: "2026-11-24T02:00:00.000Z", as: consumer)
            #expect(other.status == .conflict)
        }
        let received = try await fixture.store.auditEntries(matching: AuditQuery(action: "batch.received", limit: 10))
        #expect(received.count == 1)
    }
}
