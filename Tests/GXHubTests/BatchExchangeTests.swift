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
    func activePopulationAgreement(_ backend: StoreBackend) async throws -> HubFixture {
        let fixture = try await HubFixture.loaded(backend)
        try await fixture.hub.withClient { client in
            _ = try await fixture.agreement("RK-001", through: .filed, client: client)
        }
        return fixture
    }

    var providerKeyAndToken: (HubFixture) -> (SM2PrivateKey, String) {
        { ($0.party(PopulationBatch.provider).key, $0.party(PopulationBatch.provider).token) }
    }

    @Test("the consumer's list says when each batch was accepted, and carries the signed delivery manifest of a batch without records (no download needed)",
          arguments: StoreBackend.allCases)
    func listCarriesAcceptanceAndRecordsFreeManifests(_ backend: StoreBackend) async throws {
        let fixture = try await activePopulationAgreement(backend)
        let provider = fixture.party(PopulationBatch.provider), consumer = fixture.party(PopulationBatch.consumer)
        let full = try PopulationBatch.build((1...5).map { PopulationBatch.record($0) }, sequence: 1, key: provider.key)
        let empty = try PopulationBatch.build([], sequence: 2, key: provider.key) { $0.endsPass = true }
        try await fixture.hub.withClient { client in
            try await client.push(full, token: provider.token).expect(.created)
            try await client.push(empty, token: provider.token).expect(.created)
            let list = try await client.call(.get, "/v1/agreements/\(PopulationBatch.agreement)/batches", token: consumer.token)
                .decode(ExchangeAPI.DeliveryList.self)
            try #require(list.batches.map(\.sequence) == [1, 2])
            #expect(list.batches.allSatisfy { $0.acceptedAt.flatMap(Timestamp.date(from:)) != nil }, "\(list.batches)")
            // A batch with records is downloaded as before; the one without comes with its manifest.
            #expect(list.batches[0].manifestBase64 == nil)
            let signed = try SignedDocument<DeliveryManifest>(base64Content: try #require(list.batches[1].manifestBase64),
                                                              base64Signature: try #require(list.batches[1].signatureBase64), field: "manifest")
            #expect(signed.isSigned(by: fixture.hub.key.publicKey))
            #expect(signed.content.sequence == 2 && signed.content.consumer == consumer.code && signed.content.counts.records == 0)
            #expect(signed.content.endsPass == true)
            // It is the very delivery the hub keeps: the consumer's receipt for it is recorded.
            try await client.acknowledge(2, recordsSM3: signed.content.records.sm3, upserts: 0, as: consumer).expect(.created)
        }
    }

    @Test("an accepted batch reaches the consumer with only the agreed items, and its receipt is audited", arguments: StoreBackend.allCases)
    func pushPullReceipt(_ backend: StoreBackend) async throws {
        let fixture = try await activePopulationAgreement(backend)
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

    @Test("a delivery comes with the provider's signed manifest it was projected from and when its batch was accepted, downloaded or listed",
          arguments: StoreBackend.allCases)
    func deliveryCarriesProviderManifest(_ backend: StoreBackend) async throws {
        let fixture = try await activePopulationAgreement(backend)
        let provider = fixture.party(PopulationBatch.provider), consumer = fixture.party(PopulationBatch.consumer)
        let full = try PopulationBatch.build((1...5).map { PopulationBatch.record($0) }, sequence: 1, key: provider.key)
        let empty = try PopulationBatch.build([], sequence: 2, key: provider.key) { $0.endsPass = true }
        try await fixture.hub.withClient { client in
            try await client.push(full, token: provider.token).expect(.created)
            try await client.push(empty, token: provider.token).expect(.created)
            let delivery = try await client.call(.get, "/v1/agreements/\(PopulationBatch.agreement)/batches/1", token: consumer.token)
            try delivery.expect(.ok)
            let manifest = try delivery.deliveryManifest().content
            let providerManifest = try #require(delivery.headers[HTTPField.Name(ExchangeAPI.providerManifestHeader)!])
            let signed = try SignedDocument<BatchManifest>(base64Content: providerManifest, base64Signature: manifest.providerSignature, field: "provider")
            #expect(signed.sm3 == manifest.providerManifestSM3 && signed.isSigned(by: provider.key.publicKey) && signed.content == full.signed.content)
            let acceptedAt = try #require(delivery.headers[HTTPField.Name(ExchangeAPI.acceptedAtHeader)!])
            let list = try await client.call(.get, "/v1/agreements/\(PopulationBatch.agreement)/batches", token: consumer.token)
                .decode(ExchangeAPI.DeliveryList.self)
            #expect(list.batches.first?.acceptedAt == acceptedAt)
            #expect(list.batches.first?.providerManifestBase64 == nil)
            #expect(list.batches.last?.providerManifestBase64 == empty.signed.base64Content)
        }
    }

    @Test("a batch accepted under an active agreement has its delivery prepared before the consumer asks", arguments: StoreBackend.allCases)
    func deliveryPreparedOnAcceptance(_ backend: StoreBackend) async throws {
        let fixture = try await activePopulationAgreement(backend)
        let provider = fixture.party(PopulationBatch.provider), consumer = fixture.party(PopulationBatch.consumer)
        let built = try PopulationBatch.build((1...20).map { PopulationBatch.record($0) }, sequence: 1, key: provider.key)
        try await fixture.hub.withClient { client in
            try await client.push(built, token: provider.token).expect(.created)
        }
        let prepared = try #require(try await fixture.store.delivery(agreementID: PopulationBatch.agreement, sequence: 1))
        #expect(prepared.manifest.counts.upserts == 20)
        #expect(prepared.manifest.items == ["公民身份号码", "姓名", "性别代码", "出生日期", "户籍地行政区划", "人员状态代码"])
        try await fixture.hub.withClient { client in
            let delivery = try await client.call(.get, "/v1/agreements/\(PopulationBatch.agreement)/batches/1", token: consumer.token)
            try delivery.expect(.ok)
            #expect(try delivery.deliveryManifest().content == prepared.manifest, "the pull served another projection than the prepared one")
            let decoder = try BatchPayloadDecoder(valueCount: 6, maximumRecordBytes: 1 << 20)
            try decoder.consume(Array(delivery.body.readableBytesView)) { _, _ in }
            #expect(try decoder.finish().records == prepared.manifest.records)
        }
    }

    @Test("the batch that ends a provider's pass is marked in the consumer's list and in its signed delivery manifest", arguments: StoreBackend.allCases)
    func endOfPassReachesTheConsumer(_ backend: StoreBackend) async throws {
        let fixture = try await activePopulationAgreement(backend)
        let provider = fixture.party(PopulationBatch.provider), consumer = fixture.party(PopulationBatch.consumer)
        let first = try PopulationBatch.build((1...10).map { PopulationBatch.record($0) }, sequence: 1, key: provider.key)
        let last = try PopulationBatch.build((11...20).map { PopulationBatch.record($0) }, sequence: 2, key: provider.key) { $0.endsPass = true }
        try await fixture.hub.withClient { client in
            try await client.push(first, token: provider.token).expect(.created)
            try await client.push(last, token: provider.token).expect(.created)
            let list = try await client.call(.get, "/v1/agreements/\(PopulationBatch.agreement)/batches", token: consumer.token)
                .decode(ExchangeAPI.DeliveryList.self)
            #expect(list.batches.map(\.sequence) == [1, 2])
            #expect(list.batches.map(\.endsPass) == [nil, true])
            for (sequence, marked) in [(1, false), (2, true)] {
                let delivery = try await client.call(.get, "/v1/agreements/\(PopulationBatch.agreement)/batches/\(sequence)", token: consumer.token)
                try delivery.expect(.ok)
                let signed = try delivery.deliveryManifest()
                #expect(signed.isSigned(by: fixture.hub.key.publicKey))
                #expect(signed.content.isLastOfPass == marked, "delivery #\(sequence)")
            }
        }
    }

    @Test("a consumer's list asked with wait= answers with a batch pushed while it waited", arguments: StoreBackend.allCases)
    func listWaitsForABatch(_ backend: StoreBackend) async throws {
        let fixture = try await activePopulationAgreement(backend)
        let provider = fixture.party(PopulationBatch.provider), consumer = fixture.party(PopulationBatch.consumer)
        let built = try PopulationBatch.build((1...10).map { PopulationBatch.record($0) }, sequence: 1, key: provider.key)
        try await fixture.hub.withClient { client in
            let empty = try await client.call(.get, "/v1/agreements/\(PopulationBatch.agreement)/batches?after=0&wait=1", token: consumer.token)
                .decode(ExchangeAPI.DeliveryList.self)
            #expect(empty.batches.isEmpty)
            async let listed = client.call(.get, "/v1/agreements/\(PopulationBatch.agreement)/batches?after=0&wait=30", token: consumer.token)
            try await Task.sleep(for: .milliseconds(500))
            try await client.push(built, token: provider.token).expect(.created)
            #expect(try await listed.decode(ExchangeAPI.DeliveryList.self).batches.map(\.sequence) == [1])
        }
    }

    @Test("a refused batch leaves no prepared delivery and no file behind", arguments: StoreBackend.allCases)
    func refusedBatchLeavesNoDelivery(_ backend: StoreBackend) async throws {
        let fixture = try await activePopulationAgreement(backend)
        let provider = fixture.party(PopulationBatch.provider)
        let built = try PopulationBatch.build([PopulationBatch.record(1)], sequence: 1, key: provider.key) { $0.counts.upserts = 2 }
        try await fixture.hub.withClient { client in
            try #expect(await client.push(built, token: provider.token).status == .unprocessableContent)
        }
        #expect(try await fixture.store.delivery(agreementID: PopulationBatch.agreement, sequence: 1) == nil)
        // An abandoned upload in the database is deleted just after the refusal is answered.
        var stored = try await fixture.storedPayloads()
        for _ in 0..<50 where !stored.isEmpty {
            try await Task.sleep(for: .milliseconds(100))
            stored = try await fixture.storedPayloads()
        }
        #expect(stored.isEmpty, "\(stored)")
    }

    @Test("a delivery projected on first pull is refused when the kept payload no longer matches its manifest", arguments: StoreBackend.allCases)
    func lazyProjectionChecksKeptPayload(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        let provider = fixture.party(PopulationBatch.provider), consumer = fixture.party(PopulationBatch.consumer)
        // Pushed before any agreement is active, so nothing is prepared on acceptance.
        let payloadPath = try await fixture.hub.withClient { client in
            try await client.push(try PopulationBatch.build([PopulationBatch.record(1), PopulationBatch.record(2)], sequence: 1, key: provider.key),
                                  token: provider.token).expect(.created)
            _ = try await fixture.agreement("RK-001", through: .filed, client: client)
            return try #require(try await fixture.store.batch(resourceCode: "RK-001", sequence: 1)?.payloadPath)
        }
        #expect(try await fixture.store.delivery(agreementID: PopulationBatch.agreement, sequence: 1) == nil)
        // Sealed under the hub's own data key, so only the SM3 check can tell it is not the provider's payload.
        let other = try PopulationBatch.build([PopulationBatch.record(3), PopulationBatch.record(4)], sequence: 1, key: provider.key)
        let writer = try await fixture.hub.payloads.create(sealingWith: try #require(fixture.hub.dataKeys).current)
        try await writer.write(other.payload)
        try await writer.finish()
        await fixture.hub.payloads.delete([payloadPath])
        try await fixture.store.commit(try await fixture.hub.payloads.keeping(writer.name, as: payloadPath), audit: [], at: Date())
        try await fixture.hub.withClient { client in
            let pulled = try await client.call(.get, "/v1/agreements/\(PopulationBatch.agreement)/batches/1", token: consumer.token)
            #expect(pulled.status == .internalServerError)
            #expect(pulled.text.contains("no longer matches"))
        }
        #expect(try await fixture.store.delivery(agreementID: PopulationBatch.agreement, sequence: 1) == nil)
    }

    @Test("a kept delivery whose file lost bytes is refused with a message, not served short", arguments: StoreBackend.allCases)
    func damagedDeliveryFile(_ backend: StoreBackend) async throws {
        let fixture = try await activePopulationAgreement(backend)
        let provider = fixture.party(PopulationBatch.provider), consumer = fixture.party(PopulationBatch.consumer)
        try await fixture.hub.withClient { client in
            try await client.push(try PopulationBatch.build((1...20).map { PopulationBatch.record($0) }, sequence: 1, key: provider.key),
                                  token: provider.token).expect(.created)
        }
        let prepared = try #require(try await fixture.store.delivery(agreementID: PopulationBatch.agreement, sequence: 1))
        let name = try #require(prepared.payloadPath)
        try await fixture.replaceStoredBytes(name, with: try await fixture.storedBytes(name).dropLast(10))
        try await fixture.hub.withClient { client in
            let pulled = try await client.call(.get, "/v1/agreements/\(PopulationBatch.agreement)/batches/1", token: consumer.token)
            #expect(pulled.status == .internalServerError)
            #expect(pulled.text.contains("\(fixture.hub.payloads.place) is damaged"), "\(pulled.text)")
        }
    }

    @Test("the exact same batch sent again is answered as already accepted", arguments: StoreBackend.allCases)
    func idempotentResend(_ backend: StoreBackend) async throws {
        let fixture = try await activePopulationAgreement(backend)
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

    @Test("a batch out of sequence is refused with 409, audited, and nothing is kept", arguments: StoreBackend.allCases)
    func wrongSequence(_ backend: StoreBackend) async throws {
        let fixture = try await activePopulationAgreement(backend)
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

    @Test("a replayed old batch with a different manifest is refused", arguments: StoreBackend.allCases)
    func replayedOldSequence(_ backend: StoreBackend) async throws {
        let fixture = try await activePopulationAgreement(backend)
        let provider = fixture.party(PopulationBatch.provider)
        try await fixture.hub.withClient { client in
            try await client.push(try PopulationBatch.build([PopulationBatch.record(1)], sequence: 1, key: provider.key), token: provider.token).expect(.created)
            let replay = try PopulationBatch.build([PopulationBatch.record(2)], sequence: 1, key: provider.key)
            let response = try await client.push(replay, token: provider.token)
            #expect(response.status == .conflict)
        }
    }

    @Test("a payload whose digest differs from the manifest is refused and nothing is kept", arguments: StoreBackend.allCases)
    func digestMismatch(_ backend: StoreBackend) async throws {
        let fixture = try await activePopulationAgreement(backend)
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
        let kept = try await fixture.hub.payloads.names()
        #expect(kept.isEmpty, "\(kept)")
    }

    @Test("a manifest not signed by the provider's registered key is refused", arguments: StoreBackend.allCases)
    func badSignature(_ backend: StoreBackend) async throws {
        let fixture = try await activePopulationAgreement(backend)
        let provider = fixture.party(PopulationBatch.provider)
        let built = try PopulationBatch.build([PopulationBatch.record(1)], sequence: 1, key: try SM2PrivateKey.generate())
        try await fixture.hub.withClient { client in
            let response = try await client.push(built, token: provider.token)
            #expect(response.status == .unprocessableContent)
            #expect(response.error?.field == "signature")
        }
    }

    @Test("a batch pushed by an agency that does not provide the resource is refused with 403", arguments: StoreBackend.allCases)
    func nonProvider(_ backend: StoreBackend) async throws {
        let fixture = try await activePopulationAgreement(backend)
        let other = fixture.party(PopulationBatch.consumer)
        let built = try PopulationBatch.build([PopulationBatch.record(1)], sequence: 1, key: other.key, provider: other.code)
        try await fixture.hub.withClient { client in
            let response = try await client.push(built, token: other.token)
            #expect(response.status == .forbidden)
        }
    }

    @Test("a record that breaks the catalogue refuses the batch, naming the record and the item", arguments: StoreBackend.allCases)
    func invalidRecord(_ backend: StoreBackend) async throws {
        let fixture = try await activePopulationAgreement(backend)
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

    @Test("an agency that is not the agreement's consumer cannot pull under it", arguments: StoreBackend.allCases)
    func pullByNonParty(_ backend: StoreBackend) async throws {
        let fixture = try await activePopulationAgreement(backend)
        let outsider = fixture.party("11110000000021020F")
        try await fixture.hub.withClient { client in
            let response = try await client.call(.get, "/v1/agreements/\(PopulationBatch.agreement)/batches", token: outsider.token)
            #expect(response.status == .forbidden)
        }
        let audited = try await fixture.store.auditEntries(matching: AuditQuery(action: "delivery.refused", limit: 10))
        #expect(audited.count == 1)
    }

    @Test("nothing can be pulled under a suspended agreement, and the refusal is audited", arguments: StoreBackend.allCases)
    func pullUnderSuspended(_ backend: StoreBackend) async throws {
        let fixture = try await activePopulationAgreement(backend)
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

    @Test("acknowledged batches are pruned after the retention period; unacknowledged ones stay", arguments: StoreBackend.allCases)
    func retentionPrunesOnlyAcknowledged(_ backend: StoreBackend) async throws {
        let fixture = try await activePopulationAgreement(backend)
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
        // Batch 2's payload and the delivery prepared from it when it arrived.
        let files = try await fixture.hub.payloads.names()
        #expect(files.count == 2 && files.allSatisfy { $0.hasPrefix("RK-001/2-") || $0.hasPrefix("RK-001/deliveries/\(PopulationBatch.agreement)/2-") },
                "\(files)")
        try await fixture.hub.withClient { client in
            let gone = try await client.call(.get, "/v1/agreements/\(PopulationBatch.agreement)/batches/1", token: consumer.token)
            #expect(gone.status == .gone)
        }
    }

    @Test("a batch carrying an item outside the catalogue entry is refused naming the items", arguments: StoreBackend.allCases)
    func nonCatalogueItem(_ backend: StoreBackend) async throws {
        let fixture = try await activePopulationAgreement(backend)
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

    @Test("nothing can be pulled once the agreement's validity has ended", arguments: StoreBackend.allCases)
    func pullUnderExpired(_ backend: StoreBackend) async throws {
        let fixture = try await activePopulationAgreement(backend)
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

    @Test("a batch acknowledged again at a later time is already recorded; a receipt with other counts is a conflict", arguments: StoreBackend.allCases)
    func repeatedReceipts(_ backend: StoreBackend) async throws {
        let fixture = try await activePopulationAgreement(backend)
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
