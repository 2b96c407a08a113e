import Foundation
import GXCrypto
import GXDomain
import GXHub
import GXTestSupport
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Bad requests get a 4xx naming the field, and change nothing")
struct RequestValidationTests {
    func unchanged(_ fixture: HubFixture, _ body: () async throws -> Void) async throws {
        let head = try await fixture.store.auditHead()
        let agencies = try await fixture.store.agencies().count
        try await body()
        #expect(try await fixture.store.auditHead() == head)
        #expect(try await fixture.store.agencies().count == agencies)
    }

    @Test("malformed JSON is a 400", arguments: StoreBackend.allCases)
    func malformedJSON(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.make(backend)
        try await unchanged(fixture) {
            try await fixture.hub.withClient { client in
                let response = try await client.call(.post, "/v1/agencies", token: fixture.adminToken, raw: ByteBuffer(string: "{\"code\": "))
                #expect(response.status == .badRequest)
                #expect(response.error != nil)
            }
        }
    }

    @Test("a missing field is a 400 naming it", arguments: StoreBackend.allCases)
    func missingField(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.make(backend)
        try await unchanged(fixture) {
            try await fixture.hub.withClient { client in
                let response = try await client.call(.post, "/v1/agencies", token: fixture.adminToken,
                                                     raw: ByteBuffer(string: #"{"code":"11110000000021012L","name":"市建委","roles":["provider"]}"#))
                #expect(response.status == .badRequest)
                #expect(response.error?.field == "public_key")
            }
        }
    }

    @Test("an invalid agency code is a 400 naming the field and the rule", arguments: StoreBackend.allCases)
    func invalidAgencyCode(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.make(backend)
        let key = try SM2PrivateKey.generate()
        try await unchanged(fixture) {
            try await fixture.hub.withClient { client in
                let response = try await client.call(.post, "/v1/agencies", token: fixture.adminToken,
                                                     json: HubAPI.RegisterAgency(code: "11110000000021012M", name: "市建委", publicKey: key.publicKey.pem, roles: [.provider]))
                #expect(response.status == .badRequest)
                #expect(response.error?.field == "code")
                #expect(response.error?.error.contains("check character") == true)
            }
        }
    }

    @Test("a public key that is not SM2 is refused", arguments: StoreBackend.allCases)
    func nonSM2KeyRefused(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.make(backend)
        try await unchanged(fixture) {
            try await fixture.hub.withClient { client in
                let response = try await client.call(.post, "/v1/agencies", token: fixture.adminToken,
                                                     json: HubAPI.RegisterAgency(code: "11110000000021012L", name: "市建委", publicKey: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", roles: [.provider]))
                #expect(response.status == .badRequest)
                #expect(response.error?.field == "publicKey")
            }
        }
    }

    @Test("an oversized body is a 413", arguments: StoreBackend.allCases)
    func oversizedBody(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.make(backend)
        try await unchanged(fixture) {
            try await fixture.hub.withClient { client in
                let huge = #"{"code":"11110000000021012L","name":""# + String(repeating: "x", count: 2 << 20) + #"","public_key":"","roles":[]}"#
                let response = try await client.call(.post, "/v1/agencies", token: fixture.adminToken, raw: ByteBuffer(string: huge))
                #expect(response.status == .contentTooLarge)
            }
        }
    }

    @Test("registering the same agency twice is a 409", arguments: StoreBackend.allCases)
    func duplicateAgency(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        let key = try SM2PrivateKey.generate()
        try await unchanged(fixture) {
            try await fixture.hub.withClient { client in
                let response = try await client.call(.post, "/v1/agencies", token: fixture.adminToken,
                                                     json: HubAPI.RegisterAgency(code: "11110000000021012L", name: "市建委", publicKey: key.publicKey.pem, roles: [.provider]))
                #expect(response.status == .conflict)
            }
        }
    }

    @Test("an agreement naming an item outside the catalogue is a 400 on items", arguments: StoreBackend.allCases)
    func agreementWithUnknownItem(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        var extended = try SampleDocuments.agreementTerms().first { $0.resourceCode == "RK-001" }!
        extended.items.append("宗教信仰")
        let terms = extended
        try await unchanged(fixture) {
            try await fixture.hub.withClient { client in
                let response = try await client.call(.post, "/v1/agreements", token: fixture.adminToken, json: terms)
                #expect(response.status == .badRequest)
                #expect(response.error?.field == "items")
            }
        }
    }

    @Test("an unknown agreement state filter is a 400 on state", arguments: StoreBackend.allCases)
    func unknownStateFilter(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.make(backend)
        try await fixture.hub.withClient { client in
            let response = try await client.call(.get, "/v1/agreements?state=happy", token: fixture.adminToken)
            #expect(response.status == .badRequest)
            #expect(response.error?.field == "state")
        }
    }
}
