import Foundation
import GXCrypto
import GXDomain
import GXHub
import GXPostgres
import GXStorage
import GXTestSupport
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite("JSON bodies: declared as JSON, one value per key, errors in plain words")
struct RequestBodyTests {
    func post(_ client: some TestClientProtocol, _ uri: String, token: String, body: String, contentType: String?) async throws -> TestResponse {
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(token)"
        if let contentType { headers[.contentType] = contentType }
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    @Test("a body that is not declared application/json is a 415 and changes nothing", arguments: StoreBackend.allCases)
    func contentTypeRequired(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.make(backend)
        let head = try await fixture.store.auditHead()
        try await fixture.hub.withClient { client in
            for contentType in [nil, "text/plain", "application/x-www-form-urlencoded", "application/jsonp"] {
                let response = try await post(client, "/v1/auditors", token: fixture.adminToken, body: #"{"name":"auditor-1"}"#, contentType: contentType)
                #expect(response.status == .unsupportedMediaType, "\(contentType ?? "none")")
                #expect(response.error?.field == "Content-Type")
            }
            try await post(client, "/v1/auditors", token: fixture.adminToken, body: #"{"name":"auditor-1"}"#,
                           contentType: "Application/JSON; charset=utf-8").expect(.created)
        }
        #expect(try await fixture.store.auditHead().seq == head.seq + 1)
    }

    @Test("a key given twice is a 400 naming it, also when escaped differently or nested", arguments: StoreBackend.allCases)
    func duplicateKeysRefused(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.make(backend)
        let head = try await fixture.store.auditHead()
        try await fixture.hub.withClient { client in
            for (body, field) in [(#"{"name":"auditor-1","name":"auditor-2"}"#, "name"), (#"{"name":"a","n\u0061me":"b"}"#, "name"),
                                  (#"{"name":"a","x":{"k":1,"k":2}}"#, "x.k"), (#"{"name":"a","x":[{"k":1},{"k":1,"k":2}]}"#, "x[1].k")] {
                let response = try await post(client, "/v1/auditors", token: fixture.adminToken, body: body, contentType: "application/json")
                #expect(response.status == .badRequest, "\(body)")
                #expect(response.error?.field == field, "\(body): \(response.text)")
            }
        }
        #expect(try await fixture.store.auditHead() == head)
    }

    @Test("a NUL in a body's text is a 400 naming the field, not a store error", arguments: StoreBackend.allCases)
    func nulInBodyRefused(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        try await fixture.hub.withClient { client in
            _ = try await fixture.agreement("RK-001", through: .filed, client: client)
            let response = try await post(client, "/v1/agreements/\(PopulationBatch.agreement)/suspension", token: fixture.adminToken,
                                          body: #"{"reason":"audit\u0000finding"}"#, contentType: "application/json")
            #expect(response.status == .badRequest)
            #expect(response.error?.field == "reason")
        }
    }

    @Test("decoding errors name the field in plain words, never Swift's internals", arguments: StoreBackend.allCases)
    func decodingErrorsArePlain(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.make(backend)
        try await fixture.hub.withClient { client in
            for (body, field) in [(#"{"code":"11110000000021012L","name":"x","public_key":"k","roles":["janitor"]}"#, "roles[0]"),
                                  (#"{"code":"11110000000021012L","name":7,"public_key":"k","roles":[]}"#, "name"),
                                  (#"{"code":"11110000000021012L","name":"x","roles":[]}"#, "public_key")] {
                let response = try await post(client, "/v1/agencies", token: fixture.adminToken, body: body, contentType: "application/json")
                #expect(response.status == .badRequest)
                #expect(response.error?.field == field, "\(body): \(response.text)")
                for swiftWord in ["CodingKeys", "DecodingError", "stringValue", "Swift.", "Dictionary<", "Array<"] {
                    #expect(!response.text.contains(swiftWord), "\(response.text)")
                }
            }
        }
    }

    @Test("expiry answers the array of expired agreement ids its description promises", arguments: StoreBackend.allCases)
    func expiryAnswersAnArray(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.make(backend)
        try await fixture.hub.withClient { client in
            let response = try await client.call(.post, "/v1/agreements/expiry", token: fixture.adminToken)
            try response.expect(.ok)
            #expect(try response.decode([String].self) == [])
            let description = try await client.call(.get, "/openapi.yaml").text
            let expiry = description.components(separatedBy: "  /v1/agreements/expiry:")[1].components(separatedBy: "\n  /v1/")[0]
            #expect(expiry.contains("type: array"), "\(expiry)")
        }
    }

    @Test("a store failure is answered 503 without the database's name, user or host")
    func storeFailureIsNotLeaked() async throws {
        let fixture = try await HubFixture.make(.postgres)
        var missing = try await TestPostgres.freshDatabase()
        missing.database = "gx_missing_" + UUID().uuidString.prefix(8).lowercased()
        let settings = missing
        let store = PostgresHubStore(settings: settings, maximumConnections: 1, connectionWaitLimit: .seconds(2))
        let pool = Task { try await store.run() }
        defer { pool.cancel() }
        let broken = Hub(store: store, key: fixture.hub.key, batchDirectory: fixture.directory.appendingPathComponent("batches"))
        try await broken.withClient { client in
            let response = try await client.call(.get, "/v1/agreements?provider=x", token: fixture.adminToken)
            #expect(response.status == .serviceUnavailable)
            #expect(response.error != nil)
            for secret in [settings.database, settings.username, "\(settings.host):\(settings.port)", "PostgreSQL"] {
                #expect(!response.text.contains(secret), "\(response.text)")
            }
        }
    }
}
