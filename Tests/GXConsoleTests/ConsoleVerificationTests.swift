import Foundation
import GXCrypto
import GXDomain
import GXHub
import GXTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// A verification agreement (比对核实) on the console: its requests and answers counted on its exchange page,
/// for the admin, the auditor and its two parties only, never a value.
@Suite("Console: verification counts")
struct ConsoleVerificationTests {
    static let agreement = "BJ-GX-2026-905"
    static let items = ["公民身份号码", "姓名", "出生日期"]
    static var path: String { "/console/agreements/\(agreement)/exchange" }

    /// An active verification agreement of 人口 (RK-001) between 市公安局 (provider) and 市人力社保局 (consumer).
    static func activate(_ fixture: ConsoleFixture) async throws -> AgreementTerms {
        var terms = try SampleDocuments.agreementTerms().first { $0.resourceCode == "RK-001" }!
        terms.id = agreement
        terms.items = items
        terms.method = .verification
        let admin = fixture.adminToken, tokens = fixture.agencyTokens, keys = fixture.agencyKeys
        try await fixture.withClient { [terms] client in
            try await client.api(.post, "/v1/agreements", token: admin, json: terms).expect(.created)
            for party in [terms.consumer, terms.provider] {
                let signature = try keys[party]!.signature(for: terms.canonicalBytes)
                try await client.api(.post, "/v1/agreements/\(terms.id)/signatures", token: tokens[party]!,
                                     json: HubAPI.Sign(signature: Data(signature).base64EncodedString())).expect(.ok)
            }
            try await client.api(.post, "/v1/agreements/\(terms.id)/filing", token: admin,
                                 json: HubAPI.Filing(acknowledgedLevels: try SampleDocuments.levelsToAcknowledge(terms))).expect(.ok)
        }
        return terms
    }

    static func payload(_ records: [[String?]]) throws -> (bytes: [UInt8], records: PayloadDigest, wire: PayloadDigest) {
        let encoder = try BatchPayloadEncoder()
        for values in records { try encoder.append(CanonicalRecord(operation: .upsert, values: values)) }
        try encoder.finish()
        let bytes = encoder.takeWire()
        let digests = encoder.digests()
        return (bytes, digests.records, digests.wire)
    }

    /// Request `sequence` asks about `serials` (name and birth date each); with `answer`, the provider answers
    /// per record `found`/`not_found` and match/mismatch per checked item, and the consumer acknowledges it.
    static func exchange(_ fixture: ConsoleFixture, _ terms: AgreementTerms, sequence: Int64, serials: [Int],
                         answer: [(found: Bool, name: String?, birth: String?)]?, receipt: Bool) async throws {
        let asked = serials.map { [PopulationBatch.citizenID($0), "张三", "1980-01-01"] as [String?] }.sorted { $0[0]! < $1[0]! }
        let request = try payload(asked)
        let consumerKey = fixture.agencyKeys[terms.consumer]!, providerKey = fixture.agencyKeys[terms.provider]!
        let manifest = VerificationRequest(agreementID: agreement, consumer: terms.consumer, provider: terms.provider, resourceCode: "RK-001",
                                           schemaVersion: terms.schemaVersion, sequence: sequence, items: items, keyCount: 1,
                                           requests: Int64(asked.count), records: request.records, wire: request.wire,
                                           createdAt: "2026-11-23T01:00:00.000Z")
        let signedRequest = try SignedDocument(signing: manifest, with: consumerKey)
        let base = "/v1/agreements/\(agreement)/verifications"
        let consumerToken = fixture.agencyTokens[terms.consumer]!, providerToken = fixture.agencyTokens[terms.provider]!
        try await fixture.withClient { client in
            try await client.send(signedRequest, request.bytes, to: base, token: consumerToken).expect(.created)
            guard let answer else { return }
            let records: [[String?]] = zip(asked, answer).map { record, outcome in
                [record[0], outcome.found ? "found" : "not_found", outcome.name, outcome.birth]
            }
            let answered = try payload(records)
            let found = Int64(answer.filter(\.found).count)
            let mismatches = [Int64(answer.filter { $0.name == "mismatch" }.count), Int64(answer.filter { $0.birth == "mismatch" }.count)]
            let signedAnswer = try SignedDocument(signing: VerificationAnswer(
                agreementID: agreement, provider: terms.provider, consumer: terms.consumer, resourceCode: "RK-001", sequence: sequence,
                requestSM3: signedRequest.sm3, items: ["公民身份号码", "found"] + manifest.checkedItems, requests: Int64(records.count), found: found,
                mismatches: zip(manifest.checkedItems, mismatches).map { ItemCount(item: $0, count: $1) },
                records: answered.records, wire: answered.wire, createdAt: "2026-11-23T02:00:00.000Z"), with: providerKey)
            try await client.send(signedAnswer, answered.bytes, to: "\(base)/\(sequence)/answer", token: providerToken).expect(.created)
            guard receipt else { return }
            let signed = try SignedDocument(signing: VerificationReceipt(agreementID: agreement, consumer: terms.consumer, sequence: sequence,
                                                                         answerRecordsSM3: answered.records.sm3, requests: Int64(records.count),
                                                                         found: found, appliedAt: "2026-11-23T03:00:00.000Z"), with: consumerKey)
            try await client.api(.post, "\(base)/\(sequence)/receipt", token: consumerToken,
                                 json: ExchangeAPI.SignedReceipt(receipt: signed.base64Content, signature: signed.base64Signature)).expect(.created)
        }
    }

    /// Two requests: the first (3 records) answered — two found, one with a mismatched name — and acknowledged;
    /// the second (2 records) not yet answered.
    static func plant(_ fixture: ConsoleFixture) async throws {
        let terms = try await activate(fixture)
        try await exchange(fixture, terms, sequence: 1, serials: [1, 2, 3],
                           answer: [(true, "match", "match"), (true, "mismatch", "match"), (false, nil, nil)], receipt: true)
        try await exchange(fixture, terms, sequence: 2, serials: [4, 5], answer: nil, receipt: false)
    }

    @Test("the admin, the auditor and both parties see a verification agreement's requests, found, not found and mismatches per item",
          arguments: StoreBackend.allCases)
    func countsShown(_ backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        try await Self.plant(fixture)
        let readers = [fixture.adminToken, fixture.auditorToken, fixture.agencyTokens[PopulationBatch.provider]!,
                       fixture.agencyTokens[PopulationBatch.consumer]!]
        try await fixture.withClient { client in
            for token in readers {
                var browser = Browser(client)
                try await browser.signIn(token)
                let page = try await browser.get(Self.path)
                try page.expect(.ok)
                let text = page.text
                func card(_ number: Int, _ label: String) -> Bool {
                    text.contains("<span class=\"number\">\(number)</span><span>\(label)</span>")
                }
                #expect(card(2, "请求") && card(5, "请求记录") && card(1, "已答复") && card(2, "查到") && card(1, "未查到") && card(1, "回执"))
                #expect(text.contains("等待提供方答复"))
                // Mismatches per checked item, in the agreement's order, as bars and as a table.
                #expect(ConsoleChartTests.count("class=\"bar mismatch\"", in: text) == 2)
                #expect(text.contains("<title>姓名 1</title>") && text.contains("<title>出生日期 0</title>"))
                #expect(text.contains("<tr><td>姓名</td><td>1</td></tr>"))
                // Request by request, newest first: the second awaits its answer.
                let second = try #require(text.range(of: "<tr><td>2</td>")), first = try #require(text.range(of: "<tr><td>1</td>"))
                #expect(second.lowerBound < first.lowerBound)
                #expect(text.contains("待答复"))
                // Counts only: no key the consumer asked about reaches the page.
                for serial in 1...5 { #expect(!text.contains(PopulationBatch.citizenID(serial))) }
            }
        }
    }

    @Test("an agency party to neither side of the verification agreement is refused its page", arguments: StoreBackend.allCases)
    func outsiderRefused(_ backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        try await Self.plant(fixture)
        try await fixture.withClient { client in
            var browser = Browser(client)
            try await browser.signIn(fixture.agencyTokens[ConsoleFixture.provider]!)
            let page = try await browser.get(Self.path)
            #expect(page.status == .forbidden)
            #expect(!page.text.contains("未查到"))
        }
    }

    @Test("a verification agreement with no request yet says so", arguments: [StoreBackend.sqlite])
    func noRequestYet(_ backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        _ = try await Self.activate(fixture)
        try await fixture.withClient { client in
            var browser = Browser(client)
            try await browser.signIn(fixture.auditorToken)
            let page = try await browser.get(Self.path)
            try page.expect(.ok)
            #expect(page.text.contains("尚无比对请求。"))
            #expect(ConsoleChartTests.count("class=\"bar", in: page.text) == 0)
        }
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
