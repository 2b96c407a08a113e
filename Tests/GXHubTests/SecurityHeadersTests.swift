import GXCrypto
import GXHub
import GXTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Security headers on the hub's answers")
struct SecurityHeadersTests {
    @Test("every answer, open or authenticated, tells browsers not to sniff its content type", arguments: StoreBackend.allCases)
    func nosniffEverywhere(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.make(backend)
        let responses = try await fixture.hub.withClient { client in
            [try await client.call(.get, "/healthz"), try await client.call(.get, "/openapi.yaml"),
             try await client.call(.get, "/v1/agencies", token: fixture.adminToken), try await client.call(.get, "/v1/agencies")]
        }
        for response in responses { #expect(response.headers[.xContentTypeOptions] == "nosniff", "\(response.status)") }
    }

    @Test("answers to authenticated routes may not be stored by a cache; the open probes may", arguments: StoreBackend.allCases)
    func noStoreOnAuthenticatedAnswers(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.make(backend)
        let (served, probe) = try await fixture.hub.withClient { client in
            (try await client.call(.get, "/v1/agencies", token: fixture.adminToken), try await client.call(.get, "/healthz"))
        }
        try served.expect(.ok)
        #expect(served.headers[.cacheControl] == "no-store")
        #expect(probe.headers[.cacheControl] == nil)
    }

    @Test("a 401 names the scheme it wants (WWW-Authenticate: Bearer)", arguments: StoreBackend.allCases)
    func unauthorizedNamesBearer(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.make(backend)
        let (missing, unknown) = try await fixture.hub.withClient { client in
            (try await client.call(.get, "/v1/agencies"), try await client.call(.get, "/v1/agencies", token: "gx_" + String(repeating: "0", count: 64)))
        }
        for response in [missing, unknown] {
            #expect(response.status == .unauthorized)
            #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true, "\(response.headers)")
        }
    }

    @Test("a hub serving HTTPS sends Strict-Transport-Security; over plain HTTP it does not", arguments: StoreBackend.allCases)
    func hstsOnlyUnderTLS(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.make(backend)
        // The router only needs to know TLS is on; the files are read when the server starts, which this test does not.
        let overTLS = Hub(store: fixture.store, key: fixture.hub.key, batchDirectory: fixture.hub.batchDirectory,
                          tls: HubTLS(certificateFile: "hub.pem", keyFile: "hub.key"))
        let secure = try await overTLS.withClient { client in try await client.call(.get, "/v1/agencies", token: fixture.adminToken) }
        let plain = try await fixture.hub.withClient { client in try await client.call(.get, "/v1/agencies", token: fixture.adminToken) }
        try secure.expect(.ok)
        #expect(secure.headers[.strictTransportSecurity] == "max-age=31536000")
        #expect(plain.headers[.strictTransportSecurity] == nil)
    }
}
