import Foundation
import GXCrypto
import GXDomain
import GXHub
import GXStorage
import GXTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

extension TestClientProtocol {
    /// The authority revokes `key` of `agency` (from `at`, default now).
    func revoke(_ key: SM2PublicKey, of agency: String, at: String? = nil, reason: String = "private key found on a lost laptop",
                token: String) async throws -> TestResponse {
        try await call(.post, "/v1/agencies/\(agency)/key/revocation", token: token,
                       json: HubAPI.RevokeKey(publicKeySM3: SM3.digest(key.pem).hex, revokedAt: at, reason: reason))
    }
}

@Suite("Key revocation: an agency's compromised SM2 key signs nothing from its revocation time")
struct KeyRevocationTests {
    func filedPopulationAgreement(_ backend: StoreBackend) async throws -> HubFixture {
        let fixture = try await HubFixture.loaded(backend)
        try await fixture.hub.withClient { client in _ = try await fixture.agreement("RK-001", through: .filed, client: client) }
        return fixture
    }

    @Test("after its key is revoked a provider's batch signed with it is refused naming the key and the time; the revocation is kept and audited",
          arguments: StoreBackend.allCases)
    func batchWithRevokedKeyRefused(_ backend: StoreBackend) async throws {
        let fixture = try await filedPopulationAgreement(backend)
        let provider = fixture.party(PopulationBatch.provider)
        let keySM3 = SM3.digest(provider.key.publicKey.pem).hex
        let newKey = try SM2PrivateKey.generate()
        let (refused, afterRotation) = try await fixture.hub.withClient { client in
            try await client.push(try PopulationBatch.build([PopulationBatch.record(1)], sequence: 1, key: provider.key), token: provider.token).expect(.created)
            try await client.revoke(provider.key.publicKey, of: provider.code, token: fixture.adminToken).expect(.ok)
            let refused = try await client.push(try PopulationBatch.build([PopulationBatch.record(2)], sequence: 2, key: provider.key), token: provider.token)
            // The authority puts a new key in force; the agency itself cannot, its proof key being the revoked one.
            try await client.rotate(provider, to: newKey, proofKey: provider.key).expect(.unprocessableContent)
            try await client.call(.put, "/v1/agencies/\(provider.code)/key", token: fixture.adminToken,
                                  json: HubAPI.RotateKey(publicKey: newKey.publicKey.pem)).expect(.ok)
            let afterRotation = try await client.push(try PopulationBatch.build([PopulationBatch.record(2)], sequence: 2, key: newKey), token: provider.token)
            return (refused, afterRotation)
        }
        #expect(refused.status == .unprocessableContent)
        #expect(refused.error?.field == "signature")
        let stored = try #require(try await fixture.store.agency(code: provider.code))
        let revocation = try #require(stored.revokedKeys.first)
        #expect(revocation.publicKeySM3 == keySM3 && revocation.reason == "private key found on a lost laptop")
        #expect(refused.error?.error.contains("key \(keySM3) was revoked at \(revocation.revokedAt)") == true, "\(refused.text)")
        #expect(afterRotation.status == .created, "\(afterRotation.text)")
        let audited = try await fixture.store.auditEntries(matching: AuditQuery(action: "agency.key_revoked", limit: 10))
        #expect(audited.count == 1 && audited.first?.actor.hasPrefix("admin:") == true)
        #expect(audited.first?.details["public_key_sm3"] == .string(keySM3))
        #expect(audited.first?.details["current_key"] == .bool(true))
        #expect(audited.first?.details["revoked_at"] == .string(revocation.revokedAt))
    }

    @Test("an agreement signature made with a key revoked before is refused", arguments: StoreBackend.allCases)
    func agreementSignatureWithRevokedKeyRefused(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        let terms = try SampleDocuments.agreementTerms().first { $0.resourceCode == "RK-001" }!
        let consumer = fixture.party(terms.consumer)
        let signing = try await fixture.hub.withClient { client in
            try await client.call(.post, "/v1/agreements", token: fixture.adminToken, json: terms).expect(.created)
            try await client.revoke(consumer.key.publicKey, of: consumer.code, token: fixture.adminToken).expect(.ok)
            return try await client.sign(terms, as: consumer)
        }
        #expect(signing.status == .unprocessableContent)
        #expect(signing.error?.error.contains("\(consumer.code)'s key \(SM3.digest(consumer.key.publicKey.pem).hex) was revoked at") == true, "\(signing.text)")
        #expect(try await fixture.store.agreement(id: terms.id)?.state == .draft)
    }

    @Test("a signed agreement is not filed when a party's key is revoked from a time before its signature", arguments: StoreBackend.allCases)
    func backdatedRevocationVoidsSignature(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        let (terms, filing) = try await fixture.hub.withClient { client in
            let terms = try await fixture.agreement("RK-001", through: .signedByProvider, client: client)
            let consumer = fixture.party(terms.consumer)
            // The compromise is found late: the key is revoked from 2020-01-01 (Beijing), before the consumer signed.
            try await client.revoke(consumer.key.publicKey, of: consumer.code, at: "2020-01-01", token: fixture.adminToken).expect(.ok)
            let filing = try await client.call(.post, "/v1/agreements/\(terms.id)/filing", token: fixture.adminToken,
                                               json: HubAPI.Filing(acknowledgedLevels: try SampleDocuments.levelsToAcknowledge(terms)))
            return (terms, filing)
        }
        #expect(filing.status == .unprocessableContent)
        #expect(filing.error?.error.contains("was revoked at 2019-12-31T16:00:00.000Z") == true, "\(filing.text)")
        #expect(try await fixture.store.agreement(id: terms.id)?.state == .signedByProvider)
    }

    @Test("only the authority revokes, a key the agency never had or a time after now is refused, and a key is revoked once",
          arguments: StoreBackend.allCases)
    func revocationRefusals(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        let provider = fixture.party(PopulationBatch.provider)
        let responses = try await fixture.hub.withClient { client in
            [try await client.revoke(provider.key.publicKey, of: provider.code, token: provider.token),
             try await client.revoke(try SM2PrivateKey.generate().publicKey, of: provider.code, token: fixture.adminToken),
             try await client.revoke(provider.key.publicKey, of: provider.code, at: "2999-01-01", token: fixture.adminToken),
             try await client.revoke(provider.key.publicKey, of: provider.code, reason: " ", token: fixture.adminToken),
             try await client.revoke(provider.key.publicKey, of: provider.code, token: fixture.adminToken),
             try await client.revoke(provider.key.publicKey, of: provider.code, token: fixture.adminToken)]
        }
        #expect(responses.map(\.status) == [.forbidden, .badRequest, .badRequest, .badRequest, .ok, .badRequest])
        #expect(responses.dropFirst().map { $0.error?.field } == ["public_key_sm3", "revoked_at", "reason", nil, "public_key_sm3"])
        #expect(try await fixture.store.agency(code: provider.code)?.revokedKeys.count == 1)
    }

    @Test("a verification request signed with the consumer's revoked key is refused", arguments: StoreBackend.allCases)
    func verificationRequestWithRevokedKeyRefused(_ backend: StoreBackend) async throws {
        let fixture = try await VerificationSample.fixture(backend)
        let consumer = fixture.party(PopulationBatch.consumer)
        let (request, payload) = try VerificationSample.request(VerificationSample.requestRecords([1, 2]), key: consumer.key)
        let response = try await fixture.hub.withClient { client in
            try await client.revoke(consumer.key.publicKey, of: consumer.code, token: fixture.adminToken).expect(.ok)
            return try await client.send(request, payload, to: "/v1/agreements/\(VerificationSample.agreement)/verifications", token: consumer.token)
        }
        #expect(response.status == .unprocessableContent)
        #expect(response.error?.error.contains("was revoked at") == true, "\(response.text)")
        #expect(try await fixture.store.lastVerificationSequence(agreementID: VerificationSample.agreement) == 0)
    }
}
