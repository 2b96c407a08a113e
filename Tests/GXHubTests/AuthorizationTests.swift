import GXDomain
import GXHub
import GXTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Authorization on every route")
struct AuthorizationTests {
    static let all: Set<PrincipalKind> = [.admin, .auditor, .agency]
    static let agreement = "BJ-GX-2026-001"
    static let routes: [(HTTPRequest.Method, String, Set<PrincipalKind>)] = [
        (.get, "/v1/hub", all),
        (.get, "/metrics", [.admin, .auditor]),
        (.post, "/v1/agencies", [.admin]),
        (.get, "/v1/agencies", all),
        (.get, "/v1/agencies/11110000000021012L", all),
        // An agency may rotate only its own key; the test's agency is another one, so it is refused too.
        (.put, "/v1/agencies/11110000000021012L/key", [.admin]),
        (.post, "/v1/auditors", [.admin]),
        (.post, "/v1/credentials/agency/11110000000021012L/revocation", [.admin]),
        (.post, "/v1/credentials/auditor/auditor-1/reissue", [.admin]),
        (.post, "/v1/catalogue", [.admin]),
        (.get, "/v1/catalogue", all),
        (.get, "/v1/catalogue/FC-001", all),
        (.post, "/v1/agreements", [.admin]),
        (.get, "/v1/agreements", all),
        (.get, "/v1/agreements/\(agreement)", all),
        (.post, "/v1/agreements/\(agreement)/signatures", [.agency]),
        (.post, "/v1/agreements/\(agreement)/filing", [.admin]),
        (.post, "/v1/agreements/\(agreement)/activation", [.admin]),
        (.post, "/v1/agreements/\(agreement)/suspension", [.admin]),
        (.post, "/v1/agreements/\(agreement)/resumption", [.admin]),
        (.post, "/v1/agreements/\(agreement)/revocation", [.admin]),
        (.post, "/v1/agreements/expiry", [.admin]),
        (.get, "/v1/audit", [.admin, .auditor]),
        (.get, "/v1/audit/checkpoints", [.admin, .auditor]),
        (.post, "/v1/audit/checkpoints", [.admin]),
        (.get, "/v1/audit/export", [.admin, .auditor]),
        (.post, "/v1/resources/FC-001/batches", [.agency]),
        (.get, "/v1/resources/FC-001/batches", all),
        (.get, "/v1/agreements/\(agreement)/batches", [.agency]),
        (.get, "/v1/agreements/\(agreement)/batches/1", [.agency]),
        (.post, "/v1/agreements/\(agreement)/batches/1/receipt", [.agency]),
    ]

    @Test("an anonymous caller gets 401 on every route", arguments: StoreBackend.allCases, 0..<routes.count)
    func anonymousRefused(_ backend: StoreBackend, index: Int) async throws {
        let (method, path, _) = Self.routes[index]
        let fixture = try await HubFixture.make(backend)
        try await fixture.hub.withClient { client in
            let response = try await client.call(method, path)
            #expect(response.status == .unauthorized, "\(method) \(path)")
            #expect(response.error?.error.contains("bearer") == true)
        }
    }

    @Test("an unknown token gets 401", arguments: StoreBackend.allCases)
    func unknownTokenRefused(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.make(backend)
        try await fixture.hub.withClient { client in
            let unknown = try await client.call(.get, "/v1/agencies", token: "gx_" + String(repeating: "0", count: 64))
            let oversized = try await client.call(.get, "/v1/agencies", token: String(repeating: "a", count: 5000))
            #expect(unknown.status == .unauthorized)
            #expect(oversized.status == .unauthorized)
        }
    }

    @Test("a principal outside a route's allowed set gets 403 and changes nothing", arguments: StoreBackend.allCases, 0..<routes.count)
    func wrongPrincipalForbidden(_ backend: StoreBackend, index: Int) async throws {
        let (method, path, allowed) = Self.routes[index]
        let fixture = try await HubFixture.loaded(backend)
        let auditor = try await fixture.hub.withClient { client in
            try await client.call(.post, "/v1/auditors", token: fixture.adminToken, json: HubAPI.AddAuditor(name: "auditor-1")).decode(HubAPI.IssuedCredential.self).token
        }
        let tokens: [PrincipalKind: String] = [
            .admin: fixture.adminToken, .auditor: auditor, .agency: fixture.party("11110000000021020F").token,
        ]
        let head = try await fixture.store.auditHead()
        try await fixture.hub.withClient { client in
            for kind in PrincipalKind.allCases where !allowed.contains(kind) {
                let response = try await client.call(method, path, token: tokens[kind]!)
                #expect(response.status == .forbidden, "\(kind) on \(method) \(path): \(response.text)")
            }
        }
        #expect(try await fixture.store.auditHead() == head)
    }

    @Test("the health probes need no credential", arguments: StoreBackend.allCases)
    func healthIsPublic(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.make(backend)
        try await fixture.hub.withClient { client in
            let health = try await client.call(.get, "/healthz")
            let ready = try await client.call(.get, "/readyz")
            #expect(health.status == .ok)
            #expect(ready.status == .ok)
        }
    }
}
