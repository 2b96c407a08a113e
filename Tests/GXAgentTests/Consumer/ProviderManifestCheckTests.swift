import Foundation
import GXCrypto
import GXDomain
import Testing
@testable import GXAgent

@Suite("A consumer traces each delivery back to its provider's signed manifest")
struct ProviderManifestCheckTests {
    static let provider = "11110000000000001A"
    static let resource = "RK-001"

    /// A provider's batch #3 and the hub's delivery of it to one consumer, two of its three items.
    struct Batch {
        var signed: SignedDocument<BatchManifest>
        var delivery: DeliveryManifest
    }

    static func batch(signedBy key: SM2PrivateKey, upserts: Int64 = 5) throws -> Batch {
        let digest = PayloadDigest(sm3: String(repeating: "a", count: 64), bytes: 10)
        let manifest = BatchManifest(provider: provider, resourceCode: resource, schemaVersion: "1.0", sequence: 3, items: ["a", "b", "c"],
                                     changes: ChangeRange(mode: .snapshot, generation: 3, full: false), counts: BatchCounts(upserts: upserts, deletes: 1),
                                     quarantine: [], records: digest, wire: digest, createdAt: "2026-11-20T16:00:00.000Z", endsPass: true)
        let signed = try SignedDocument(signing: manifest, with: key)
        let delivery = DeliveryManifest(agreementID: "BJ-GX-2026-001", provider: provider, consumer: "11110000000000002B", resourceCode: resource,
                                        schemaVersion: "1.0", sequence: 3, items: ["a", "c"], counts: BatchCounts(upserts: upserts, deletes: 1),
                                        records: digest, wire: digest, providerManifestSM3: signed.sm3, providerSignature: signed.base64Signature,
                                        createdAt: "2026-11-20T16:00:01.000Z", endsPass: true)
        return Batch(signed: signed, delivery: delivery)
    }

    static func refusal(_ batch: Batch, manifest: String? = nil, acceptedAt: String = "2026-11-20T16:00:01.000Z", provider: Agency) -> String? {
        ProviderManifestCheck.refusal(of: batch.delivery, providerManifestBase64: manifest ?? batch.signed.base64Content, acceptedAt: acceptedAt,
                                      provider: provider, resourceCode: resource)
    }

    static func agency(_ key: SM2PrivateKey, retired: [RetiredKey] = []) -> Agency {
        Agency(code: provider, name: "区市场监管局", publicKeyPEM: key.publicKey.pem, roles: [.provider], retiredKeys: retired)
    }

    @Test("a delivery whose provider manifest carries the provider's signature is accepted")
    func signedByProvider() throws {
        let key = try SM2PrivateKey.generate()
        #expect(Self.refusal(try Self.batch(signedBy: key), provider: Self.agency(key)) == nil)
    }

    @Test("a provider manifest whose signature does not verify with the provider's registered keys is refused")
    func notTheProvidersSignature() throws {
        let registered = try SM2PrivateKey.generate(), other = try SM2PrivateKey.generate()
        let reason = Self.refusal(try Self.batch(signedBy: other), provider: Self.agency(registered))
        #expect(reason?.contains("does not verify with \(Self.provider)'s key in force at 2026-11-20T16:00:01.000Z") == true, "\(reason ?? "accepted")")
    }

    @Test("a provider manifest other than the one the delivery names is refused, even one the provider signed")
    func anotherManifest() throws {
        let key = try SM2PrivateKey.generate()
        let batch = try Self.batch(signedBy: key), other = try Self.batch(signedBy: key, upserts: 6)
        let reason = Self.refusal(batch, manifest: other.signed.base64Content, provider: Self.agency(key))
        #expect(reason?.contains("not the one the delivery names") == true, "\(reason ?? "accepted")")
    }

    @Test("a delivery whose counts differ from the provider's signed manifest is refused")
    func countsDiffer() throws {
        let key = try SM2PrivateKey.generate()
        var batch = try Self.batch(signedBy: key)
        batch.delivery.counts.upserts += 1
        let reason = Self.refusal(batch, provider: Self.agency(key))
        #expect(reason?.contains("not this delivery") == true, "\(reason ?? "accepted")")
    }

    @Test("a delivery without its provider manifest is refused")
    func noProviderManifest() throws {
        let key = try SM2PrivateKey.generate()
        let batch = try Self.batch(signedBy: key)
        let reason = ProviderManifestCheck.refusal(of: batch.delivery, providerManifestBase64: nil, acceptedAt: nil, provider: Self.agency(key),
                                                   resourceCode: Self.resource)
        #expect(reason?.contains("no provider manifest") == true)
    }

    @Test("after the provider rotated its key, a batch accepted before still verifies with the retired key, and not after")
    func retiredKeyForOlderBatches() throws {
        let old = try SM2PrivateKey.generate(), new = try SM2PrivateKey.generate()
        let rotated = try Self.agency(old).rotatingKey(to: new.publicKey.pem, at: "2026-11-21T08:00:00.000Z")
        let batch = try Self.batch(signedBy: old)
        #expect(Self.refusal(batch, acceptedAt: "2026-11-20T16:00:01.000Z", provider: rotated) == nil)
        #expect(Self.refusal(batch, acceptedAt: "2026-11-21T16:00:01.000Z", provider: rotated) != nil)
        #expect(Self.refusal(try Self.batch(signedBy: new), acceptedAt: "2026-11-21T16:00:01.000Z", provider: rotated) == nil)
    }

    @Test("a provider manifest signed with a key revoked before its batch was accepted is refused; one accepted before the revocation is not")
    func revokedKey() throws {
        let key = try SM2PrivateKey.generate()
        let revoked = try Self.agency(key).revokingKey(sm3: SM3.digest(key.publicKey.pem).hex, at: "2026-11-20T12:00:00.000Z", reason: "leaked")
        let batch = try Self.batch(signedBy: key)
        let reason = Self.refusal(batch, acceptedAt: "2026-11-20T16:00:01.000Z", provider: revoked)
        #expect(reason?.contains("signed with a revoked key") == true && reason?.contains("revoked at 2026-11-20T12:00:00.000Z") == true, "\(reason ?? "accepted")")
        #expect(Self.refusal(batch, acceptedAt: "2026-11-20T11:00:00.000Z", provider: revoked) == nil)
    }
}
