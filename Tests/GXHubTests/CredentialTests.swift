import Foundation
import GXDomain
import GXHub
import GXStorage
import GXTestSupport
import HummingbirdTesting
import Testing

@Suite("Revoking and reissuing credentials")
struct CredentialTests {
    static let agency = "11110000000021020F"

    @Test("a revoked agency token is refused at once, on another hub process too, and the act is audited", arguments: StoreBackend.allCases)
    func revokedAgencyRefusedEverywhere(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        let other = try await fixture.secondHub()
        let token = fixture.party(Self.agency).token
        try await other.withClient { client in
            try await client.call(.get, "/v1/agencies", token: token).expect(.ok)
        }
        try await fixture.hub.withClient { client in
            let revoked = try await client.call(.post, "/v1/credentials/agency/\(Self.agency)/revocation", token: fixture.adminToken,
                                                json: HubAPI.CredentialChange(reason: "token leaked"))
            try revoked.expect(.ok)
            #expect(try revoked.decode(HubAPI.RevokedCredentials.self).revoked == 1)
            try await client.call(.get, "/v1/agencies", token: token).expect(.unauthorized)
        }
        try await other.withClient { client in
            try await client.call(.get, "/v1/agencies", token: token).expect(.unauthorized)
        }
        let entry = try #require(try await fixture.store.auditEntries(matching: AuditQuery(action: "credential.revoked")).first)
        #expect(entry.actor == "admin:authority" && entry.subject == "agency:\(Self.agency)" && entry.agencies == [Self.agency])
        #expect(entry.details["reason"] == .string("token leaked"))
    }

    @Test("a reissued token works and every older one of the holder stops, on every hub process", arguments: StoreBackend.allCases, ["agency", "auditor"])
    func reissueReplaces(_ backend: StoreBackend, kind: String) async throws {
        let fixture = try await HubFixture.loaded(backend)
        let other = try await fixture.secondHub()
        let (name, old) = try await fixture.hub.withClient { client in
            if kind == "agency" { return (Self.agency, fixture.party(Self.agency).token) }
            let added = try await client.call(.post, "/v1/auditors", token: fixture.adminToken, json: HubAPI.AddAuditor(name: "auditor-1"))
            return ("auditor-1", try added.decode(HubAPI.IssuedCredential.self).token)
        }
        let new = try await fixture.hub.withClient { client in
            let reissued = try await client.call(.post, "/v1/credentials/\(kind)/\(name)/reissue", token: fixture.adminToken)
            try reissued.expect(.created)
            let credential = try reissued.decode(HubAPI.IssuedCredential.self)
            #expect(credential.principal == "\(kind):\(name)")
            return credential.token
        }
        #expect(new != old)
        try await other.withClient { client in
            try await client.call(.get, "/v1/hub", token: old).expect(.unauthorized)
            try await client.call(.get, "/v1/hub", token: new).expect(.ok)
        }
        #expect(try await fixture.store.credentials(of: kind == "agency" ? .agency(code: name) : .auditor(name: name)).count == 1)
        let entry = try #require(try await fixture.store.auditEntries(matching: AuditQuery(action: "credential.reissued")).first)
        #expect(entry.subject == "\(kind):\(name)" && entry.details["revoked"] == .integer(1))
    }

    @Test("adding an auditor again is refused with 409 naming reissue, and its one token keeps working", arguments: StoreBackend.allCases)
    func auditorAddedTwice(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.make(backend)
        try await fixture.hub.withClient { client in
            let first = try await client.call(.post, "/v1/auditors", token: fixture.adminToken, json: HubAPI.AddAuditor(name: "auditor-1"))
            try first.expect(.created)
            let again = try await client.call(.post, "/v1/auditors", token: fixture.adminToken, json: HubAPI.AddAuditor(name: "auditor-1"))
            #expect(again.status == .conflict)
            #expect(again.error?.error.contains("reissue") == true && again.error?.field == "name")
            try await client.call(.get, "/v1/audit", token: try first.decode(HubAPI.IssuedCredential.self).token).expect(.ok)
        }
        #expect(try await fixture.store.credentials(of: .auditor(name: "auditor-1")).count == 1)
    }

    @Test("a revoked auditor may be added again: it holds no working token", arguments: StoreBackend.allCases)
    func revokedAuditorAddedAgain(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.make(backend)
        try await fixture.hub.withClient { client in
            let first = try await client.call(.post, "/v1/auditors", token: fixture.adminToken, json: HubAPI.AddAuditor(name: "auditor-1"))
            try await client.call(.post, "/v1/credentials/auditor/auditor-1/revocation", token: fixture.adminToken).expect(.ok)
            try await client.call(.get, "/v1/audit", token: try first.decode(HubAPI.IssuedCredential.self).token).expect(.unauthorized)
            try await client.call(.post, "/v1/auditors", token: fixture.adminToken, json: HubAPI.AddAuditor(name: "auditor-1")).expect(.created)
        }
    }

    @Test("an admin cannot revoke its own credential, and keeps it", arguments: StoreBackend.allCases)
    func adminCannotRevokeItself(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.make(backend)
        try await fixture.hub.withClient { client in
            let refused = try await client.call(.post, "/v1/credentials/admin/authority/revocation", token: fixture.adminToken)
            #expect(refused.status == .conflict && refused.error?.field == "name")
            try await client.call(.get, "/v1/hub", token: fixture.adminToken).expect(.ok)
        }
        #expect(try await fixture.store.auditEntries(matching: AuditQuery(action: "credential.revoked")).isEmpty)
    }

    @Test("an unknown holder is a 404, an unknown kind a 400, and neither changes anything", arguments: StoreBackend.allCases)
    func unknownHolders(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        let head = try await fixture.store.auditHead()
        try await fixture.hub.withClient { client in
            let agency = try await client.call(.post, "/v1/credentials/agency/91110000000000000X/reissue", token: fixture.adminToken)
            let auditor = try await client.call(.post, "/v1/credentials/auditor/nobody/revocation", token: fixture.adminToken)
            let kind = try await client.call(.post, "/v1/credentials/robot/x/revocation", token: fixture.adminToken)
            #expect(agency.status == .notFound && auditor.status == .notFound)
            #expect(kind.status == .badRequest && kind.error?.field == "kind")
        }
        #expect(try await fixture.store.auditHead() == head)
    }

    @Test("registering an agency again answers 409 naming reissue", arguments: StoreBackend.allCases)
    func agencyRegisteredTwice(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        let agency = try #require(try await fixture.store.agency(code: Self.agency))
        try await fixture.hub.withClient { client in
            let again = try await client.call(.post, "/v1/agencies", token: fixture.adminToken,
                                              json: HubAPI.RegisterAgency(code: agency.code, name: agency.name, publicKey: agency.publicKeyPEM, roles: agency.roles))
            #expect(again.status == .conflict)
            #expect(again.error?.error.contains("gx credentials reissue --agency \(Self.agency)") == true)
        }
    }
}
