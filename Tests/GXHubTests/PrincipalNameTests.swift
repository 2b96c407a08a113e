import GXCrypto
import GXDomain
import GXHub
import GXStorage
import GXTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("One name names one principal")
struct PrincipalNameTests {
    static let agencyCode = "11110000000021012L"

    @Test("an auditor cannot be named like a registered agency's code", arguments: StoreBackend.allCases)
    func auditorNamedLikeAgencyRefused(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        let response = try await fixture.hub.withClient { client in
            try await client.call(.post, "/v1/auditors", token: fixture.adminToken, json: HubAPI.AddAuditor(name: Self.agencyCode))
        }
        #expect(response.status == .conflict, "\(response.text)")
        #expect(response.error?.error.contains("agency:\(Self.agencyCode)") == true, "\(response.text)")
        let added = try await fixture.store.auditEntries(matching: AuditQuery(action: "auditor.added"))
        #expect(added.isEmpty)
    }

    @Test("an auditor cannot take the admin's name", arguments: StoreBackend.allCases)
    func auditorNamedLikeAdminRefused(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.make(backend)
        let response = try await fixture.hub.withClient { client in
            try await client.call(.post, "/v1/auditors", token: fixture.adminToken, json: HubAPI.AddAuditor(name: "authority"))
        }
        #expect(response.status == .conflict, "\(response.text)")
        #expect(response.error?.error.contains("admin:authority") == true, "\(response.text)")
    }

    @Test("an agency cannot be registered under an auditor's name", arguments: StoreBackend.allCases)
    func agencyNamedLikeAuditorRefused(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.make(backend)
        let agency = try #require(try SampleDocuments.agencyList().agency.first)
        let (auditor, registered) = try await fixture.hub.withClient { client in
            (try await client.call(.post, "/v1/auditors", token: fixture.adminToken, json: HubAPI.AddAuditor(name: agency.code)),
             try await client.call(.post, "/v1/agencies", token: fixture.adminToken,
                                   json: HubAPI.RegisterAgency(code: agency.code, name: agency.name, publicKey: try SM2PrivateKey.generate().publicKey.pem,
                                                               roles: agency.roles)))
        }
        try auditor.expect(.created)
        #expect(registered.status == .conflict, "\(registered.text)")
        #expect(registered.error?.error.contains("auditor:\(agency.code)") == true, "\(registered.text)")
        #expect(try await fixture.store.agency(code: agency.code) == nil)
    }
}
