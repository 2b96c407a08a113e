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
    /// `agency` rotates its own key to `newKey`, proving it with `proofKey` (its current key, normally).
    func rotate(_ agency: HubFixture.Party, to newKey: SM2PrivateKey, proofKey: SM2PrivateKey) async throws -> TestResponse {
        let pem = newKey.publicKey.pem
        let proof = Data(try proofKey.signature(for: Array(pem.utf8))).base64EncodedString()
        return try await call(.put, "/v1/agencies/\(agency.code)/key", token: agency.token, json: HubAPI.RotateKey(publicKey: pem, proof: proof))
    }
}

@Suite("Key rotation: an agency replaces its SM2 key")
struct KeyRotationTests {
    func filedPopulationAgreement(_ backend: StoreBackend) async throws -> HubFixture {
        let fixture = try await HubFixture.loaded(backend)
        try await fixture.hub.withClient { client in _ = try await fixture.agreement("RK-001", through: .filed, client: client) }
        return fixture
    }

    @Test("batches signed before the rotation still verify with the key then in force; new ones must use the new key",
          arguments: StoreBackend.allCases)
    func oldBatchesVerifyNewMustUseNewKey(_ backend: StoreBackend) async throws {
        let fixture = try await filedPopulationAgreement(backend)
        let provider = fixture.party(PopulationBatch.provider)
        let newKey = try SM2PrivateKey.generate()
        let (list, agency, statuses) = try await fixture.hub.withClient { client in
            try await client.push(try PopulationBatch.build([PopulationBatch.record(1)], sequence: 1, key: provider.key), token: provider.token).expect(.created)
            try await client.rotate(provider, to: newKey, proofKey: provider.key).expect(.ok)
            let withOldKey = try await client.push(try PopulationBatch.build([PopulationBatch.record(2)], sequence: 2, key: provider.key), token: provider.token)
            let withNewKey = try await client.push(try PopulationBatch.build([PopulationBatch.record(2)], sequence: 2, key: newKey), token: provider.token)
            let list = try await client.call(.get, "/v1/resources/RK-001/batches", token: fixture.adminToken).decode(ExchangeAPI.BatchList.self)
            let agency = try await client.call(.get, "/v1/agencies/\(provider.code)", token: fixture.adminToken).decode(Agency.self)
            return (list, agency, [withOldKey.status, withNewKey.status])
        }
        #expect(statuses == [.unprocessableContent, .created])
        #expect(agency.publicKeyPEM == newKey.publicKey.pem)
        #expect(agency.retiredKeys.map(\.publicKeyPEM) == [provider.key.publicKey.pem])
        #expect(list.batches.count == 2)
        for batch in list.batches {
            let signed = try SignedDocument<BatchManifest>(base64Content: batch.manifestBase64, base64Signature: batch.signatureBase64, field: "manifest")
            let inForce = try agency.publicKey(at: batch.acceptedAt)
            #expect(signed.isSigned(by: inForce), "batch \(batch.manifest.sequence)")
            let expectedKey = batch.manifest.sequence == 1 ? provider.key.publicKey : newKey.publicKey
            #expect(inForce.pem == expectedKey.pem, "batch \(batch.manifest.sequence) checked with the wrong key")
        }
        let rotations = try await fixture.store.auditEntries(matching: AuditQuery(action: "agency.key_rotated", limit: 10))
        #expect(rotations.map(\.actor) == ["agency:\(provider.code)"])
        #expect(rotations.first?.details["public_key_sm3"] == .string(SM3.digest(newKey.publicKey.pem).hex))
    }

    @Test("an agency's rotation without a valid proof from its current key is refused and changes nothing", arguments: StoreBackend.allCases)
    func rotationNeedsProof(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        let provider = fixture.party(PopulationBatch.provider)
        let response = try await fixture.hub.withClient { client in
            try await client.rotate(provider, to: try SM2PrivateKey.generate(), proofKey: try SM2PrivateKey.generate())
        }
        #expect(response.status == .unprocessableContent)
        #expect(response.error?.field == "proof")
        #expect(try await fixture.store.agency(code: provider.code)?.publicKeyPEM == provider.key.publicKey.pem)
    }

    @Test("an agency cannot rotate another agency's key")
    func cannotRotateAnothersKey() async throws {
        let fixture = try await HubFixture.loaded(.sqlite)
        let provider = fixture.party(PopulationBatch.provider), consumer = fixture.party(PopulationBatch.consumer)
        let response = try await fixture.hub.withClient { client in
            let pem = try SM2PrivateKey.generate().publicKey.pem
            let proof = Data(try consumer.key.signature(for: Array(pem.utf8))).base64EncodedString()
            return try await client.call(.put, "/v1/agencies/\(provider.code)/key", token: consumer.token, json: HubAPI.RotateKey(publicKey: pem, proof: proof))
        }
        #expect(response.status == .forbidden)
    }

    @Test("an agreement signed before a party's rotation can still be filed", arguments: StoreBackend.allCases)
    func signedBeforeRotationStillFiles(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        let status = try await fixture.hub.withClient { client in
            let terms = try await fixture.agreement("RK-001", through: .signedByProvider, client: client)
            let provider = fixture.party(terms.provider)
            try await client.rotate(provider, to: try SM2PrivateKey.generate(), proofKey: provider.key).expect(.ok)
            return try await client.call(.post, "/v1/agreements/\(terms.id)/filing", token: fixture.adminToken,
                                         json: HubAPI.Filing(acknowledgedLevels: ["重要"])).status
        }
        #expect(status == .ok)
    }
}
