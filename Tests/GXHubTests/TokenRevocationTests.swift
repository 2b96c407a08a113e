import Foundation
import GXDomain
import GXHub
import GXStorage
import GXTestSupport
import HummingbirdTesting
import Testing

@Suite("Revoking one token of a holder")
struct TokenRevocationTests {
    static let agency = "11110000000021020F"

    @Test("one revoked token gets 401 while the holder's other token still works; listed and audited by id, never the token",
          arguments: StoreBackend.allCases)
    func oneTokenRevoked(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        let first = fixture.party(Self.agency).token
        // A second working token for the same agency (as an earlier hub could have issued).
        let second = Credentials.newToken()
        try await fixture.store.commit([.addCredential(Credential(tokenHash: Credentials.hash(of: second), principal: .agency(code: Self.agency),
                                                                  createdAt: "2026-12-01T00:00:00.000Z"))], audit: [], at: Date())
        let leaked = Credentials.id(of: first)
        let (listed, revoked, unknown) = try await fixture.hub.withClient { client in
            let listed = try await client.call(.get, "/v1/credentials/agency/\(Self.agency)", token: fixture.adminToken).decode(HubAPI.HeldCredentials.self)
            let revoked = try await client.call(.post, "/v1/credentials/agency/\(Self.agency)/tokens/\(leaked)/revocation", token: fixture.adminToken,
                                                json: HubAPI.CredentialChange(reason: "a copy was mailed"))
            try await client.call(.get, "/v1/agencies", token: first).expect(.unauthorized)
            try await client.call(.get, "/v1/agencies", token: second).expect(.ok)
            let unknown = try await client.call(.post, "/v1/credentials/agency/\(Self.agency)/tokens/\(leaked)/revocation", token: fixture.adminToken)
            return (listed, revoked, unknown)
        }
        #expect(Set(listed.credentials.map(\.id)) == [leaked, Credentials.id(of: second)])
        #expect(!"\(listed)".contains(first) && !"\(listed)".contains(Credentials.hash(of: first)))
        try revoked.expect(.ok)
        #expect(try revoked.decode(HubAPI.RevokedCredentials.self).revoked == 1)
        #expect(unknown.status == .notFound && unknown.error?.field == "id")
        #expect(try await fixture.store.credentials(of: .agency(code: Self.agency)).map(\.tokenHash) == [Credentials.hash(of: second)])
        let entry = try #require(try await fixture.store.auditEntries(matching: AuditQuery(action: "credential.token_revoked")).first)
        #expect(entry.subject == "agency:\(Self.agency)" && entry.details["id"] == .string(leaked) && entry.details["reason"] == .string("a copy was mailed"))
        #expect(entry.details["remaining"] == .integer(1))
        #expect(!"\(entry)".contains(first) && !"\(entry)".contains(Credentials.hash(of: first)))
    }

    @Test("only an admin revokes one token, and not its own", arguments: StoreBackend.allCases)
    func onlyAnotherAdmin(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        let agency = fixture.party(Self.agency)
        let (byAgency, own) = try await fixture.hub.withClient { client in
            (try await client.call(.post, "/v1/credentials/agency/\(Self.agency)/tokens/\(Credentials.id(of: agency.token))/revocation", token: agency.token),
             try await client.call(.post, "/v1/credentials/admin/authority/tokens/\(Credentials.id(of: fixture.adminToken))/revocation",
                                   token: fixture.adminToken))
        }
        #expect(byAgency.status == .forbidden)
        #expect(own.status == .conflict)
        try await fixture.hub.withClient { client in try await client.call(.get, "/v1/agencies", token: agency.token).expect(.ok) }
    }
}
