import Foundation
import GXCrypto
import GXDomain
import GXHub
import GXStorage
import GXTestSupport
import HummingbirdTesting
import Testing

@Suite("Agreements through the hub")
struct AgreementWorkflowTests {
    @Test("an imported agreement signed by both parties and filed is active, with the hub's filing signature", arguments: StoreBackend.allCases)
    func draftToActive(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        try await fixture.hub.withClient { client in
            let terms = try await fixture.agreement("FC-001", through: .filed, client: client)
            let view = try await client.call(.get, "/v1/agreements/\(terms.id)", token: fixture.adminToken).decode(HubAPI.AgreementView.self)
            #expect(view.agreement.state == .active)
            let filing = try #require(view.agreement.filing)
            #expect(fixture.hub.key.publicKey.isValidSignature([UInt8](Data(base64Encoded: filing.signature)!), for: view.agreement.filingBytes))
            #expect(view.contentDigest == terms.contentDigest.hex)
        }
        let actions = try await fixture.store.auditEntries(matching: AuditQuery(agreement: "BJ-GX-2026-001")).map(\.action)
        #expect(actions == ["agreement.imported", "agreement.signed", "agreement.signed", "agreement.filed", "agreement.activated"])
    }

    @Test("an agency cannot sign for another agency", arguments: StoreBackend.allCases)
    func cannotSignForAnother(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        try await fixture.hub.withClient { client in
            let terms = try await fixture.agreement("FC-001", through: .draft, client: client)
            // The provider claims to sign as the consumer.
            let claimed = try await client.sign(terms, as: fixture.party(terms.provider), signer: terms.consumer)
            #expect(claimed.status == .forbidden)
            // The provider signs in its own name, but it is the consumer's turn.
            let early = try await client.sign(terms, as: fixture.party(terms.provider))
            #expect(early.status == .forbidden)
            #expect(early.error?.error.contains("awaits the signature of \(terms.consumer)") == true)
            // An agency that is not a party cannot sign at all.
            let outsider = try await client.sign(terms, as: fixture.party("111100000000210552"))
            #expect(outsider.status == .forbidden)
            let state = try await client.call(.get, "/v1/agreements/\(terms.id)", token: fixture.adminToken).decode(HubAPI.AgreementView.self).agreement.state
            #expect(state == .draft)
        }
    }

    @Test("a signature that does not verify is refused with 422 and audited", arguments: StoreBackend.allCases)
    func badSignatureRefusedAndAudited(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        try await fixture.hub.withClient { client in
            let terms = try await fixture.agreement("FC-001", through: .draft, client: client)
            let consumer = fixture.party(terms.consumer)
            let impostor = HubFixture.Party(code: consumer.code, key: try SM2PrivateKey.generate(), token: consumer.token)
            let response = try await client.sign(terms, as: impostor)
            #expect(response.status == .unprocessableContent)
            #expect(response.error?.field == "signature")
        }
        let refused = try await fixture.store.auditEntries(matching: AuditQuery(action: "agreement.signature_refused"))
        #expect(refused.count == 1)
        #expect(try await fixture.store.agreement(id: "BJ-GX-2026-001")?.state == .draft)
    }

    @Test("an agency sees only its own agreements", arguments: StoreBackend.allCases)
    func agencySeesOwnAgreementsOnly(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        try await fixture.hub.withClient { client in
            _ = try await fixture.agreement("FC-001", through: .draft, client: client)
            _ = try await fixture.agreement("RK-001", through: .draft, client: client)
            let taxBureau = fixture.party("11110000000021020F")
            let listed = try await client.call(.get, "/v1/agreements", token: taxBureau.token).decode([SharingAgreement].self)
            #expect(listed.map(\.id) == ["BJ-GX-2026-001"])
            let foreign = try await client.call(.get, "/v1/agreements/BJ-GX-2026-004", token: taxBureau.token)
            #expect(foreign.status == .forbidden)
        }
    }

    @Test("suspend, resume and revoke move an active agreement and are audited with the reason", arguments: StoreBackend.allCases)
    func suspendResumeRevoke(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        try await fixture.hub.withClient { client in
            let terms = try await fixture.agreement("RK-001", through: .filed, client: client)
            let path = "/v1/agreements/\(terms.id)"
            let suspended = try await client.call(.post, path + "/suspension", token: fixture.adminToken, json: HubAPI.Reason(reason: "安全检查"))
            #expect(try suspended.decode(HubAPI.AgreementView.self).agreement.state == .suspended)
            let again = try await client.call(.post, path + "/suspension", token: fixture.adminToken, json: HubAPI.Reason(reason: "again"))
            #expect(again.status == .conflict)
            let resumed = try await client.call(.post, path + "/resumption", token: fixture.adminToken, json: HubAPI.Reason(reason: "检查通过"))
            #expect(try resumed.decode(HubAPI.AgreementView.self).agreement.state == .active)
            let revoked = try await client.call(.post, path + "/revocation", token: fixture.adminToken, json: HubAPI.Reason(reason: "职能调整"))
            #expect(try revoked.decode(HubAPI.AgreementView.self).agreement.state == .revoked)
            let reactivate = try await client.call(.post, path + "/resumption", token: fixture.adminToken, json: HubAPI.Reason(reason: "x"))
            #expect(reactivate.status == .conflict)
            let noReason = try await client.call(.post, path + "/revocation", token: fixture.adminToken, json: HubAPI.Reason(reason: " "))
            #expect(noReason.status == .badRequest)
        }
        let suspension = try await fixture.store.auditEntries(matching: AuditQuery(action: "agreement.suspended")).first
        #expect(suspension?.details["reason"] == "安全检查")
    }

    @Test("an agreement whose validity has ended expires at the sweep", arguments: StoreBackend.allCases)
    func validityEndExpires(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        try await fixture.hub.withClient { client in
            _ = try await fixture.agreement("FR-001", through: .filed, client: client)
        }
        let later = Date(timeIntervalSinceNow: 5 * 365 * 86400)
        let expired = try await fixture.hub.expireDueAgreements(at: later)
        #expect(expired.sorted() == ["BJ-GX-2026-002"])
        #expect(try await fixture.store.agreement(id: "BJ-GX-2026-002")?.state == .expired)
    }

    @Test("an amendment supersedes the agreement it names when it becomes active", arguments: StoreBackend.allCases)
    func amendmentSupersedes(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        try await fixture.hub.withClient { client in
            let original = try await fixture.agreement("FC-001", through: .filed, client: client)
            var amended = original
            amended.id = "BJ-GX-2026-001-A1"
            amended.items.removeAll { $0 == "规划用途" }
            amended.supersedes = original.id
            try await client.call(.post, "/v1/agreements", token: fixture.adminToken, json: amended).expect(.created)
            try await client.sign(amended, as: fixture.party(amended.consumer)).expect(.ok)
            try await client.sign(amended, as: fixture.party(amended.provider)).expect(.ok)
            try await client.call(.post, "/v1/agreements/\(amended.id)/filing", token: fixture.adminToken).expect(.ok)
        }
        let old = try await fixture.store.agreement(id: "BJ-GX-2026-001")
        #expect(old?.state == .superseded)
        #expect(old?.supersededBy == "BJ-GX-2026-001-A1")
        #expect(try await fixture.store.agreement(id: "BJ-GX-2026-001-A1")?.state == .active)
    }

    @Test("filing before both parties signed is refused", arguments: StoreBackend.allCases)
    func fileNeedsBothSignatures(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        try await fixture.hub.withClient { client in
            let terms = try await fixture.agreement("FC-001", through: .signedByConsumer, client: client)
            let response = try await client.call(.post, "/v1/agreements/\(terms.id)/filing", token: fixture.adminToken)
            #expect(response.status == .conflict)
            #expect(response.error?.error.contains("signed_by_consumer") == true)
        }
    }

    @Test("a 不予共享 resource cannot be agreed through the hub", arguments: StoreBackend.allCases)
    func notSharedResourceRefused(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        var notShared = try SampleDocuments.catalogue()["FC-001"]!
        notShared.schemaVersion = "1.1"
        notShared.sharingType = .notShared
        var amended = try SampleDocuments.agreementTerms().first { $0.resourceCode == "FC-001" }!
        amended.schemaVersion = "1.1"
        let entry = notShared, terms = amended
        try await fixture.hub.withClient { client in
            try await client.call(.post, "/v1/catalogue", token: fixture.adminToken, json: entry).expect(.created)
            let response = try await client.call(.post, "/v1/agreements", token: fixture.adminToken, json: terms)
            #expect(response.status == .badRequest)
            #expect(response.error?.field == "resource")
        }
    }
}
