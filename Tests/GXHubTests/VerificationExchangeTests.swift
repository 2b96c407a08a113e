import Foundation
import GXCrypto
import GXDomain
import GXHub
import GXStorage
import GXTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// A verification agreement (比对核实) between 市公安局 and 市人力社保局, and request/answer payloads built by hand.
enum VerificationSample {
    static let agreement = "BJ-GX-2026-905"
    static let items = ["公民身份号码", "姓名", "出生日期"]

    static func terms(items: [String] = items) throws -> AgreementTerms {
        var terms = try SampleDocuments.agreementTerms().first { $0.resourceCode == "RK-001" }!
        terms.id = agreement
        terms.items = items
        terms.method = .verification
        return terms
    }

    /// An active verification agreement on a loaded hub.
    static func fixture(_ backend: StoreBackend, items: [String] = items) async throws -> HubFixture {
        let fixture = try await HubFixture.loaded(backend)
        let terms = try terms(items: items)
        try await fixture.hub.withClient { client in
            try await client.call(.post, "/v1/agreements", token: fixture.adminToken, json: terms).expect(.created)
            try await client.sign(terms, as: fixture.party(terms.consumer)).expect(.ok)
            try await client.sign(terms, as: fixture.party(terms.provider)).expect(.ok)
            try await client.call(.post, "/v1/agreements/\(terms.id)/filing", token: fixture.adminToken,
                                  json: HubAPI.Filing(acknowledgedLevels: try SampleDocuments.levelsToAcknowledge(terms))).expect(.ok)
        }
        return fixture
    }

    struct Payload {
        var bytes: [UInt8]
        var records: PayloadDigest
        var wire: PayloadDigest
        var count: Int64
    }

    static func payload(_ records: [[String?]]) throws -> Payload {
        let encoder = try BatchPayloadEncoder()
        for values in records { try encoder.append(CanonicalRecord(operation: .upsert, values: values)) }
        try encoder.finish()
        let bytes = encoder.takeWire()
        let digests = encoder.digests()
        return Payload(bytes: bytes, records: digests.records, wire: digests.wire, count: Int64(records.count))
    }

    /// Request records: serials' IDs (sorted), a name and a birth date each.
    static func requestRecords(_ serials: [Int]) -> [[String?]] {
        serials.map { [PopulationBatch.citizenID($0), "张三", "1980-01-01"] }.sorted { $0[0]! < $1[0]! }
    }

    static func request(_ records: [[String?]], sequence: Int64 = 1, items: [String] = items, key: SM2PrivateKey)
        throws -> (SignedDocument<VerificationRequest>, [UInt8]) {
        let payload = try payload(records)
        let manifest = VerificationRequest(agreementID: agreement, consumer: PopulationBatch.consumer, provider: PopulationBatch.provider,
                                           resourceCode: "RK-001", schemaVersion: "1.0", sequence: sequence, items: items, keyCount: 1,
                                           requests: payload.count, records: payload.records, wire: payload.wire,
                                           createdAt: "2026-11-23T01:00:00.000Z")
        return (try SignedDocument(signing: manifest, with: key), payload.bytes)
    }

    static func answer(_ records: [[String?]], to request: SignedDocument<VerificationRequest>, found: Int64, mismatches: [Int64],
                       key: SM2PrivateKey) throws -> (SignedDocument<VerificationAnswer>, [UInt8]) {
        let payload = try payload(records)
        let r = request.content
        let manifest = VerificationAnswer(agreementID: agreement, provider: PopulationBatch.provider, consumer: PopulationBatch.consumer,
                                          resourceCode: "RK-001", sequence: r.sequence, requestSM3: request.sm3,
                                          items: ["公民身份号码", "found"] + r.checkedItems, requests: payload.count, found: found,
                                          mismatches: zip(r.checkedItems, mismatches).map { ItemCount(item: $0, count: $1) },
                                          records: payload.records, wire: payload.wire, createdAt: "2026-11-23T02:00:00.000Z")
        return (try SignedDocument(signing: manifest, with: key), payload.bytes)
    }
}

extension TestClientProtocol {
    func send<Content>(_ signed: SignedDocument<Content>, _ payload: [UInt8], to uri: String, token: String) async throws -> TestResponse {
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(token)"
        headers[HTTPField.Name(ExchangeAPI.manifestHeader)!] = signed.base64Content
        headers[HTTPField.Name(ExchangeAPI.signatureHeader)!] = signed.base64Signature
        return try await execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(bytes: payload))
    }
}

@Suite("Verification (比对核实): requests, answers checked record for record, who may read them")
struct VerificationExchangeTests {
    let requests = "/v1/agreements/\(VerificationSample.agreement)/verifications"

    @Test("a request is kept, the provider's answer checked against it and delivered to the consumer, and the receipt recorded, each audited",
          arguments: StoreBackend.allCases)
    func requestAnswerReceipt(_ backend: StoreBackend) async throws {
        let fixture = try await VerificationSample.fixture(backend)
        let provider = fixture.party(PopulationBatch.provider), consumer = fixture.party(PopulationBatch.consumer)
        let asked = VerificationSample.requestRecords([1, 2, 3])
        let (request, payload) = try VerificationSample.request(asked, key: consumer.key)
        let answers: [[String?]] = [[asked[0][0], "found", "match", "match"], [asked[1][0], "found", "mismatch", "match"],
                                    [asked[2][0], "not_found", nil, nil]]
        let (answer, answerPayload) = try VerificationSample.answer(answers, to: request, found: 2, mismatches: [1, 0], key: provider.key)
        try await fixture.hub.withClient { client in
            try await client.send(request, payload, to: requests, token: consumer.token).expect(.created)
            // The same request again is an idempotent resend.
            try await client.send(request, payload, to: requests, token: consumer.token).expect(.ok)
            let pulled = try await client.call(.get, "\(requests)/1/request", token: provider.token)
            try pulled.expect(.ok)
            #expect(Array(pulled.body.readableBytesView) == payload)
            try await client.send(answer, answerPayload, to: "\(requests)/1/answer", token: provider.token).expect(.created)
            let delivered = try await client.call(.get, "\(requests)/1/answer", token: consumer.token)
            try delivered.expect(.ok)
            #expect(Array(delivered.body.readableBytesView) == answerPayload)
            let receipt = try SignedDocument(signing: VerificationReceipt(agreementID: VerificationSample.agreement, consumer: consumer.code, sequence: 1,
                                                                          answerRecordsSM3: answer.content.records.sm3, requests: 3, found: 2,
                                                                          appliedAt: "2026-11-23T03:00:00.000Z"), with: consumer.key)
            try await client.call(.post, "\(requests)/1/receipt", token: consumer.token,
                                  json: ExchangeAPI.SignedReceipt(receipt: receipt.base64Content, signature: receipt.base64Signature)).expect(.created)
            let listing = try await client.call(.get, requests, token: fixture.adminToken).decode(VerificationAPI.Listing.self)
            #expect(listing.verifications.map(\.sequence) == [1])
            #expect(listing.verifications[0].answer?.found == 2)
            #expect(listing.verifications[0].receipt?.found == 2)
        }
        let actions = try await fixture.store.auditChain(afterSeq: 0, limit: 1000).map(\.action)
        #expect(actions.filter { $0.hasPrefix("verification.") } == ["verification.requested", "verification.answered", "verification.received"])
        let answered = try await fixture.store.auditChain(afterSeq: 0, limit: 1000).first { $0.action == "verification.answered" }
        #expect(answered?.details["mismatches"] == .object(["姓名": .integer(1), "出生日期": .integer(0)]))
    }

    @Test("a request naming an item the agreement does not allow is refused, naming the field", arguments: StoreBackend.allCases)
    func itemOutsideAgreementRefused(_ backend: StoreBackend) async throws {
        let fixture = try await VerificationSample.fixture(backend)
        let consumer = fixture.party(PopulationBatch.consumer)
        let records = VerificationSample.requestRecords([1]).map { $0 + ["北京市东城区东华门街道1号"] }
        let (request, payload) = try VerificationSample.request(records, items: VerificationSample.items + ["住址"], key: consumer.key)
        try await fixture.hub.withClient { client in
            let response = try await client.send(request, payload, to: requests, token: consumer.token)
            #expect(response.status == .forbidden)
            #expect(response.error?.field == "manifest.items")
        }
        #expect(try await fixture.store.lastVerificationSequence(agreementID: VerificationSample.agreement) == 0)
        let refused = try await fixture.store.auditChain(afterSeq: 0, limit: 1000).filter { $0.action == "verification.refused" }
        #expect(refused.count == 1)
    }

    @Test("a request out of key order is refused: the provider merges it with its sorted register", arguments: [StoreBackend.sqlite])
    func unsortedRequestRefused(_ backend: StoreBackend) async throws {
        let fixture = try await VerificationSample.fixture(backend)
        let consumer = fixture.party(PopulationBatch.consumer)
        let (request, payload) = try VerificationSample.request(Array(VerificationSample.requestRecords([1, 2]).reversed()), key: consumer.key)
        try await fixture.hub.withClient { client in
            let response = try await client.send(request, payload, to: requests, token: consumer.token)
            #expect(response.status == .badRequest)
            #expect(response.error?.field == "records")
        }
    }

    @Test("an answer that skips a record, adds one or answers another key is refused", arguments: StoreBackend.allCases)
    func answerOutOfStepRefused(_ backend: StoreBackend) async throws {
        let fixture = try await VerificationSample.fixture(backend)
        let provider = fixture.party(PopulationBatch.provider), consumer = fixture.party(PopulationBatch.consumer)
        let asked = VerificationSample.requestRecords([1, 2, 3])
        let (request, payload) = try VerificationSample.request(asked, key: consumer.key)
        let good: [[String?]] = asked.map { [$0[0], "found", "match", "match"] }
        let skipped = Array(good.dropLast())
        let added = good + [[PopulationBatch.citizenID(4), "found", "match", "match"]]
        var shifted = good
        shifted[1][0] = PopulationBatch.citizenID(9)
        let swapped = shifted
        try await fixture.hub.withClient { client in
            try await client.send(request, payload, to: requests, token: consumer.token).expect(.created)
            // Every record asks every item: the answers are checked against the key digest, not the request read again.
            #expect(try await fixture.store.verification(agreementID: VerificationSample.agreement, sequence: 1)?.requestKeysSM3 != nil)
            for wrong in [skipped, added, swapped] {
                let found = Int64(wrong.count)
                let (answer, bytes) = try VerificationSample.answer(wrong, to: request, found: found, mismatches: [0, 0], key: provider.key)
                let response = try await client.send(answer, bytes, to: "\(requests)/1/answer", token: provider.token)
                #expect(response.status == .unprocessableContent)
                #expect(response.error?.field == "records")
            }
            // An answer carrying a value instead of a word is refused too.
            var valued = good
            valued[0][2] = "张三"
            let (answer, bytes) = try VerificationSample.answer(valued, to: request, found: 3, mismatches: [0, 0], key: provider.key)
            try #expect(await client.send(answer, bytes, to: "\(requests)/1/answer", token: provider.token).status == .unprocessableContent)
        }
        #expect(try await fixture.store.verification(agreementID: VerificationSample.agreement, sequence: 1)?.answer == nil)
    }

    @Test("a request with an empty item is read again to check its answer: answering the item not asked is refused, the right answer accepted",
          arguments: StoreBackend.allCases)
    func answerToPartialRequestChecked(_ backend: StoreBackend) async throws {
        // 民族代码 may be empty in the catalogue: the second record leaves it out.
        let items = ["公民身份号码", "姓名", "民族代码"]
        let fixture = try await VerificationSample.fixture(backend, items: items)
        let provider = fixture.party(PopulationBatch.provider), consumer = fixture.party(PopulationBatch.consumer)
        let asked = VerificationSample.requestRecords([1, 2]).enumerated().map { [$1[0], "张三", $0 == 0 ? "01" : nil] }
        let (request, payload) = try VerificationSample.request(asked, items: items, key: consumer.key)
        try await fixture.hub.withClient { client in
            try await client.send(request, payload, to: requests, token: consumer.token).expect(.created)
            #expect(try await fixture.store.verification(agreementID: VerificationSample.agreement, sequence: 1)?.requestKeysSM3 == nil)
            let wrong: [[String?]] = asked.map { [$0[0], "found", "match", "match"] }
            let (bad, badBytes) = try VerificationSample.answer(wrong, to: request, found: 2, mismatches: [0, 0], key: provider.key)
            let refused = try await client.send(bad, badBytes, to: "\(requests)/1/answer", token: provider.token)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.error?.field == "records")
            let right: [[String?]] = [[asked[0][0], "found", "match", "match"], [asked[1][0], "found", "mismatch", nil]]
            let (answer, bytes) = try VerificationSample.answer(right, to: request, found: 2, mismatches: [1, 0], key: provider.key)
            try await client.send(answer, bytes, to: "\(requests)/1/answer", token: provider.token).expect(.created)
        }
        #expect(try await fixture.store.verification(agreementID: VerificationSample.agreement, sequence: 1)?.answer?.found == 2)
    }

    @Test("a consumer's list asked with answered=true and wait= is not ended by its own request: it answers when the answer arrives",
          arguments: StoreBackend.allCases)
    func listWaitsForTheAnswer(_ backend: StoreBackend) async throws {
        let fixture = try await VerificationSample.fixture(backend)
        let provider = fixture.party(PopulationBatch.provider), consumer = fixture.party(PopulationBatch.consumer)
        let asked = VerificationSample.requestRecords([1, 2])
        let (request, payload) = try VerificationSample.request(asked, key: consumer.key)
        let (answer, answerPayload) = try VerificationSample.answer(asked.map { [$0[0], "found", "match", "match"] }, to: request, found: 2,
                                                                    mismatches: [0, 0], key: provider.key)
        try await fixture.hub.withClient { client in
            try await client.send(request, payload, to: requests, token: consumer.token).expect(.created)
            // Unanswered, the request is listed, but not among the answered ones.
            let all = try await client.call(.get, "\(requests)?after=0", token: consumer.token).decode(VerificationAPI.Listing.self)
            #expect(all.verifications.map(\.sequence) == [1])
            let none = try await client.call(.get, "\(requests)?after=0&answered=true&wait=1", token: consumer.token).decode(VerificationAPI.Listing.self)
            #expect(none.verifications.isEmpty)
            #expect(none.lastSequence == 1)
            async let listed = client.call(.get, "\(requests)?after=0&answered=true&wait=30", token: consumer.token)
            try await Task.sleep(for: .milliseconds(500))
            try await client.send(answer, answerPayload, to: "\(requests)/1/answer", token: provider.token).expect(.created)
            let answered = try await listed.decode(VerificationAPI.Listing.self)
            #expect(answered.verifications.map(\.sequence) == [1])
            #expect(answered.verifications.first?.answer?.found == 2)
            try #expect(await client.call(.get, "\(requests)?answered=yes", token: consumer.token).error?.field == "answered")
        }
    }

    @Test("only the consumer reads the answers, only the provider the requests; a verification agreement delivers no batches",
          arguments: StoreBackend.allCases)
    func whoMayRead(_ backend: StoreBackend) async throws {
        let fixture = try await VerificationSample.fixture(backend)
        let provider = fixture.party(PopulationBatch.provider), consumer = fixture.party(PopulationBatch.consumer)
        let other = fixture.party("11110000000021020F")
        let asked = VerificationSample.requestRecords([1])
        let (request, payload) = try VerificationSample.request(asked, key: consumer.key)
        let (answer, answerPayload) = try VerificationSample.answer([[asked[0][0], "found", "match", "match"]], to: request, found: 1,
                                                                    mismatches: [0, 0], key: provider.key)
        try await fixture.hub.withClient { client in
            // Another consumer cannot push under the agreement.
            let (foreign, foreignPayload) = try VerificationSample.request(asked, key: other.key)
            try #expect(await client.send(foreign, foreignPayload, to: requests, token: other.token).status == .forbidden)
            try await client.send(request, payload, to: requests, token: consumer.token).expect(.created)
            try await client.send(answer, answerPayload, to: "\(requests)/1/answer", token: provider.token).expect(.created)
            try #expect(await client.call(.get, "\(requests)/1/answer", token: other.token).status == .forbidden)
            try #expect(await client.call(.get, "\(requests)/1/answer", token: provider.token).status == .forbidden)
            try #expect(await client.call(.get, "\(requests)/1/request", token: other.token).status == .forbidden)
            try #expect(await client.call(.get, requests, token: other.token).status == .forbidden)
            // The register's batches never flow under a verification agreement.
            let built = try PopulationBatch.build([PopulationBatch.record(1)], sequence: 1, key: provider.key)
            try await client.push(built, token: provider.token).expect(.created)
            try #expect(await client.call(.get, "/v1/agreements/\(VerificationSample.agreement)/batches", token: consumer.token).status == .forbidden)
        }
        #expect(try await fixture.store.delivery(agreementID: VerificationSample.agreement, sequence: 1) == nil)
    }
    @Test("received verifications lose their request and answer payloads after the retention period; unreceived ones keep them",
          arguments: StoreBackend.allCases)
    func retentionPrunesReceived(_ backend: StoreBackend) async throws {
        let fixture = try await VerificationSample.fixture(backend)
        let provider = fixture.party(PopulationBatch.provider), consumer = fixture.party(PopulationBatch.consumer)
        try await fixture.hub.withClient { client in
            for (sequence, serials) in [(Int64(1), [1, 2]), (2, [3])] {
                let asked = VerificationSample.requestRecords(serials)
                let (request, payload) = try VerificationSample.request(asked, sequence: sequence, key: consumer.key)
                let (answer, answerPayload) = try VerificationSample.answer(asked.map { [$0[0], "found", "match", "match"] }, to: request,
                                                                            found: Int64(asked.count), mismatches: [0, 0], key: provider.key)
                try await client.send(request, payload, to: requests, token: consumer.token).expect(.created)
                try await client.send(answer, answerPayload, to: "\(requests)/\(sequence)/answer", token: provider.token).expect(.created)
                guard sequence == 1 else { continue }
                // Only the first answer is acknowledged.
                let receipt = try SignedDocument(signing: VerificationReceipt(agreementID: VerificationSample.agreement, consumer: consumer.code,
                                                                              sequence: 1, answerRecordsSM3: answer.content.records.sm3, requests: 2,
                                                                              found: 2, appliedAt: "2026-11-23T03:00:00.000Z"), with: consumer.key)
                try await client.call(.post, "\(requests)/1/receipt", token: consumer.token,
                                      json: ExchangeAPI.SignedReceipt(receipt: receipt.base64Content, signature: receipt.base64Signature)).expect(.created)
            }
        }
        let kept = try await fixture.store.verifications(agreementID: VerificationSample.agreement, after: 0, limit: 10)
        let files = kept.flatMap { [$0.requestPath, $0.answerPath] }.compactMap { $0 }
        let stored = try await fixture.hub.payloads.names()
        #expect(files.count == 4 && files.allSatisfy(stored.contains), "\(files)")

        let early = try await fixture.hub.pruneReceivedVerifications(at: Date())
        #expect(early.isEmpty, "pruned inside the retention period")
        let pruned = try await fixture.hub.pruneReceivedVerifications(at: Date().addingTimeInterval(8 * 86_400))
        #expect(pruned == ["\(VerificationSample.agreement)#1"])
        let first = try await fixture.store.verification(agreementID: VerificationSample.agreement, sequence: 1)
        let second = try await fixture.store.verification(agreementID: VerificationSample.agreement, sequence: 2)
        #expect(first?.requestPath == nil && first?.answerPath == nil && first?.receipt?.found == 2)
        #expect(second?.requestPath != nil && second?.answerPath != nil)
        let left = try await fixture.hub.payloads.names()
        #expect(files.map(left.contains) == [false, false, true, true])
        try await #expect(fixture.hub.pruneReceivedVerifications(at: Date().addingTimeInterval(9 * 86_400)).isEmpty, "pruned twice")
        try await fixture.hub.withClient { client in
            try #expect(await client.call(.get, "\(requests)/1/answer", token: consumer.token).status == .gone)
            try #expect(await client.call(.get, "\(requests)/1/request", token: provider.token).status == .gone)
            try await client.call(.get, "\(requests)/2/answer", token: consumer.token).expect(.ok)
            let listing = try await client.call(.get, requests, token: fixture.adminToken).decode(VerificationAPI.Listing.self)
            #expect(listing.verifications.map(\.sequence) == [1, 2] && listing.verifications[0].receipt != nil)
        }
        let audited = try await fixture.store.auditEntries(matching: AuditQuery(action: "verification.pruned", limit: 10))
        #expect(audited.map(\.subject) == ["\(VerificationSample.agreement)#1"])
    }
}
