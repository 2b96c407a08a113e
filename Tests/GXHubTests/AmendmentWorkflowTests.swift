import Foundation
import GXCrypto
import GXDomain
import GXHub
import GXStorage
import GXTestSupport
import HummingbirdTesting
import Testing

extension TestClientProtocol {
    func amend(_ id: String, _ body: HubAPI.Amend, token: String) async throws -> TestResponse {
        try await call(.post, "/v1/agreements/\(id)/amendment", token: token, json: body)
    }

    /// Signs the pending amendment's canonical terms as `party` (which must be able to read the agreement).
    func signAmendment(_ id: String, as party: HubFixture.Party, reading token: String? = nil) async throws -> TestResponse {
        let view = try await call(.get, "/v1/agreements/\(id)", token: token ?? party.token).decode(HubAPI.AgreementView.self)
        let terms = try #require(view.agreement.amendment?.terms)
        let signature = try party.key.signature(for: terms.canonicalBytes)
        return try await call(.post, "/v1/agreements/\(id)/amendment/signatures", token: party.token,
                              json: HubAPI.Sign(signature: Data(signature).base64EncodedString()))
    }

    func agreementView(_ id: String, token: String) async throws -> SharingAgreement {
        try await call(.get, "/v1/agreements/\(id)", token: token).decode(HubAPI.AgreementView.self).agreement
    }
}

@Suite("Amendments (协议变更): a new revision signed by both parties and filed")
struct AmendmentWorkflowTests {
    static let phone = "联系电话"
    static let addPhone = HubAPI.Amend(items: ["公民身份号码", "姓名", "性别代码", "出生日期", "户籍地行政区划", "人员状态代码", phone],
                                       reason: "通知待遇资格认证结果需要联系电话。")
    /// The population agreement shares 重要 items (公民身份号码, 姓名, 出生日期), so each amendment's filing names 重要.
    static let acknowledging重要 = HubAPI.Filing(acknowledgedLevels: ["重要"])

    /// The population agreement (BJ-GX-2026-004), active.
    func activePopulation(_ backend: StoreBackend) async throws -> (HubFixture, AgreementTerms) {
        let fixture = try await HubFixture.loaded(backend)
        let terms = try await fixture.hub.withClient { client in
            try await fixture.agreement("RK-001", through: .filed, client: client)
        }
        return (fixture, terms)
    }

    @Test("an amendment signed by both parties and filed takes the place of the terms in force, which stay in the history with their signatures",
          arguments: StoreBackend.allCases)
    func proposeSignFile(_ backend: StoreBackend) async throws {
        let (fixture, terms) = try await activePopulation(backend)
        let consumer = fixture.party(terms.consumer), provider = fixture.party(terms.provider)
        try await fixture.hub.withClient { client in
            let proposed = try await client.amend(terms.id, Self.addPhone, token: consumer.token)
            try proposed.expect(.created)
            let view = try proposed.decode(HubAPI.AgreementView.self)
            let amendment = try #require(view.agreement.amendment)
            #expect(amendment.number == 1 && amendment.state == .draft && amendment.proposedBy == "agency:\(consumer.code)")
            #expect(view.canonicalAmendmentTerms == amendment.terms.canonicalJSON.canonicalString)
            // Until filing the terms in force are the old ones.
            #expect(view.agreement.terms == terms && view.agreement.state == .active)

            try await client.signAmendment(terms.id, as: consumer).expect(.ok)
            #expect(try await client.agreementView(terms.id, token: fixture.adminToken).amendment?.state == .signedByConsumer)
            try await client.signAmendment(terms.id, as: provider).expect(.ok)
            let signed = try await client.agreementView(terms.id, token: fixture.adminToken)
            #expect(signed.amendment?.state == .signedByProvider && signed.terms == terms)

            let filed = try await client.call(.post, "/v1/agreements/\(terms.id)/amendment/filing", token: fixture.adminToken,
                                              json: Self.acknowledging重要)
            try filed.expect(.ok)
            let agreement = try filed.decode(HubAPI.AgreementView.self).agreement
            #expect(agreement.state == .active)
            #expect(agreement.amendment == nil)
            #expect(agreement.terms.items.contains(Self.phone) && agreement.terms.amendment == 1)
            #expect(agreement.consumerSignature?.contentDigest == agreement.terms.contentDigest.hex)
            let filing = try #require(agreement.filing)
            #expect(fixture.hub.key.publicKey.isValidSignature([UInt8](Data(base64Encoded: filing.signature)!), for: agreement.filingBytes))
            // The history: the first revision superseded at the filing, with its own signatures; the amendment in force.
            let history = agreement.history
            #expect(history.map(\.number) == [0, 1])
            #expect(history[0].terms == terms && history[0].supersededAt == filing.filedAt)
            #expect(history[0].consumerSignature?.signer == consumer.code && history[0].providerSignature?.signer == provider.code)
            #expect(history[0].consumerSignature?.contentDigest == terms.contentDigest.hex)
            #expect(history[1].supersededAt == nil && history[1].providerSignature?.signer == provider.code)
        }
        let actions = try await fixture.store.auditEntries(matching: AuditQuery(agreement: terms.id)).map(\.action)
        #expect(actions.suffix(4) == ["agreement.amendment_proposed", "agreement.amendment_signed", "agreement.amendment_signed", "agreement.amended"])
    }

    @Test("batches arriving before the amendment is filed are delivered with the old items, the next one after filing with the new item",
          arguments: StoreBackend.allCases)
    func nextDeliveryCarriesTheNewItem(_ backend: StoreBackend) async throws {
        let (fixture, terms) = try await activePopulation(backend)
        let consumer = fixture.party(terms.consumer), provider = fixture.party(terms.provider)
        try await fixture.hub.withClient { client in
            try await client.amend(terms.id, Self.addPhone, token: fixture.adminToken).expect(.created)
            try await client.signAmendment(terms.id, as: consumer).expect(.ok)
            try await client.signAmendment(terms.id, as: provider).expect(.ok)
            let before = try PopulationBatch.build((1...3).map { PopulationBatch.record($0) }, sequence: 1, key: provider.key)
            try await client.push(before, token: provider.token).expect(.created)
            try await client.call(.post, "/v1/agreements/\(terms.id)/amendment/filing", token: fixture.adminToken,
                                  json: Self.acknowledging重要).expect(.ok)
            let after = try PopulationBatch.build((4...5).map { PopulationBatch.record($0) }, sequence: 2, key: provider.key)
            try await client.push(after, token: provider.token).expect(.created)

            let first = try await client.call(.get, "/v1/agreements/\(terms.id)/batches/1", token: consumer.token)
            #expect(try first.deliveryManifest().content.items == terms.items)
            let second = try await client.call(.get, "/v1/agreements/\(terms.id)/batches/2", token: consumer.token)
            let manifest = try second.deliveryManifest().content
            #expect(manifest.items == terms.items + [Self.phone])
            let decoder = try BatchPayloadDecoder(valueCount: manifest.items.count, maximumRecordBytes: 1 << 20)
            var records: [CanonicalRecord] = []
            try decoder.consume(Array(second.body.readableBytesView)) { record, _ in records.append(record) }
            #expect(records.count == 2 && records.allSatisfy { $0.values.last == "13800000000" })
        }
    }

    @Test("only the authority and the agreement's parties may propose, only the awaited party may sign, only the authority may file",
          arguments: StoreBackend.allCases)
    func wrongPartyRefused(_ backend: StoreBackend) async throws {
        let (fixture, terms) = try await activePopulation(backend)
        let consumer = fixture.party(terms.consumer), provider = fixture.party(terms.provider)
        let outsider = fixture.party(DemandParties.taxBureau)
        try await fixture.hub.withClient { client in
            let auditorToken = try await client.call(.post, "/v1/auditors", token: fixture.adminToken, json: HubAPI.AddAuditor(name: "auditor-1"))
                .decode(HubAPI.IssuedCredential.self).token
            #expect(try await client.amend(terms.id, Self.addPhone, token: outsider.token).status == .forbidden)
            #expect(try await client.amend(terms.id, Self.addPhone, token: auditorToken).status == .forbidden)
            try await client.amend(terms.id, Self.addPhone, token: provider.token).expect(.created)
            // The consumer signs first: the provider's early signature and an outsider's are refused.
            let early = try await client.signAmendment(terms.id, as: provider)
            #expect(early.status == .forbidden)
            #expect(early.error?.error.contains("awaits the signature of \(consumer.code)") == true)
            #expect(try await client.signAmendment(terms.id, as: outsider, reading: fixture.adminToken).status == .forbidden)
            try await client.signAmendment(terms.id, as: consumer).expect(.ok)
            #expect(try await client.signAmendment(terms.id, as: consumer).status == .forbidden)
            try await client.signAmendment(terms.id, as: provider).expect(.ok)
            #expect(try await client.call(.post, "/v1/agreements/\(terms.id)/amendment/filing", token: provider.token).status == .forbidden)
            #expect(try await client.agreementView(terms.id, token: fixture.adminToken).terms == terms)
        }
    }

    @Test("an amendment is refused out of turn: on a draft or revoked agreement, beside a pending one, filed before both signatures, signed twice",
          arguments: StoreBackend.allCases)
    func wrongStateRefused(_ backend: StoreBackend) async throws {
        let (fixture, terms) = try await activePopulation(backend)
        let consumer = fixture.party(terms.consumer), provider = fixture.party(terms.provider)
        try await fixture.hub.withClient { client in
            let draft = try await fixture.agreement("FC-001", through: .draft, client: client)
            let onDraft = try await client.amend(draft.id, HubAPI.Amend(validUntil: CalendarDate("2027-06-30")!, reason: "缩短"), token: fixture.adminToken)
            #expect(onDraft.status == .conflict && onDraft.error?.field == "amendment")
            let path = "/v1/agreements/\(terms.id)/amendment"
            #expect(try await client.call(.post, path + "/filing", token: fixture.adminToken).status == .conflict, "nothing to file")
            #expect(try await client.call(.post, path + "/signatures", token: consumer.token,
                                          json: HubAPI.Sign(signature: Data([1, 2, 3]).base64EncodedString())).status == .conflict, "nothing to sign")
            try await client.amend(terms.id, Self.addPhone, token: consumer.token).expect(.created)
            let second = try await client.amend(terms.id, HubAPI.Amend(frequency: .weekly, reason: "改为每周"), token: provider.token)
            #expect(second.status == .conflict && second.error?.error.contains("already has amendment 1 pending") == true)
            let unsigned = try await client.call(.post, path + "/filing", token: fixture.adminToken)
            #expect(unsigned.status == .conflict && unsigned.error?.error.contains("allowed only from signed_by_provider") == true)
            try await client.signAmendment(terms.id, as: consumer).expect(.ok)
            #expect(try await client.call(.post, path + "/filing", token: fixture.adminToken).status == .conflict, "the provider has not signed")
            try await client.signAmendment(terms.id, as: provider).expect(.ok)
            #expect(try await client.signAmendment(terms.id, as: provider).status == .conflict, "both have signed")
            try await client.call(.post, "/v1/agreements/\(terms.id)/revocation", token: fixture.adminToken, json: HubAPI.Reason(reason: "职能调整")).expect(.ok)
            let afterRevocation = try await client.call(.post, path + "/filing", token: fixture.adminToken)
            #expect(afterRevocation.status == .conflict && afterRevocation.error?.error.contains("is revoked") == true)
        }
        #expect(try await fixture.store.agreement(id: terms.id)?.terms == terms)
    }

    @Test("proposed terms must fit the catalogue, keep the key items, change something and give a reason", arguments: StoreBackend.allCases)
    func invalidTermsRefused(_ backend: StoreBackend) async throws {
        let (fixture, terms) = try await activePopulation(backend)
        try await fixture.hub.withClient { client in
            let cases: [(HubAPI.Amend, String, String)] = [
                (HubAPI.Amend(items: terms.items + ["血型"], reason: "增加"), "items", "'血型' is not an item of RK-001"),
                (HubAPI.Amend(items: Array(terms.items.dropFirst()), reason: "减少"), "items", "key item '公民身份号码' must be included"),
                (HubAPI.Amend(items: terms.items, reason: "不变"), "items", "changes nothing"),
                (HubAPI.Amend(validFrom: CalendarDate("2029-01-01")!, reason: "推迟"), "valid_until", "before valid_from"),
                (HubAPI.Amend(duties: AgreementDuties(provision: " ", use: "u", disposal: "d", security: "s"), reason: "职责"), "duties.provision", "must not be empty"),
                (HubAPI.Amend(frequency: .weekly, reason: " "), "reason", "reason"),
            ]
            for (body, field, words) in cases {
                let response = try await client.amend(terms.id, body, token: fixture.adminToken)
                #expect(response.status == .badRequest, "\(body)")
                #expect(response.error?.field == field, "\(response.text)")
                #expect(response.error?.error.contains(words) == true, "\(response.text)")
            }
        }
        let stored = try #require(try await fixture.store.agreement(id: terms.id))
        #expect(stored.amendment == nil && stored.terms == terms)
    }

    @Test("a withdrawn amendment leaves the terms in force, and a new one may then be proposed", arguments: StoreBackend.allCases)
    func withdrawal(_ backend: StoreBackend) async throws {
        let (fixture, terms) = try await activePopulation(backend)
        let consumer = fixture.party(terms.consumer), outsider = fixture.party(DemandParties.taxBureau)
        try await fixture.hub.withClient { client in
            try await client.amend(terms.id, Self.addPhone, token: consumer.token).expect(.created)
            try await client.signAmendment(terms.id, as: consumer).expect(.ok)
            let path = "/v1/agreements/\(terms.id)/amendment/withdrawal"
            #expect(try await client.call(.post, path, token: outsider.token, json: HubAPI.Reason(reason: "x")).status == .forbidden)
            try await client.call(.post, path, token: consumer.token, json: HubAPI.Reason(reason: "需求变化")).expect(.ok)
            let agreement = try await client.agreementView(terms.id, token: fixture.adminToken)
            #expect(agreement.amendment == nil && agreement.terms == terms && agreement.state == .active)
            #expect(try await client.call(.post, path, token: consumer.token, json: HubAPI.Reason(reason: "again")).status == .conflict)
            let next = try await client.amend(terms.id, HubAPI.Amend(frequency: .weekly, reason: "改为每周"), token: consumer.token)
            try next.expect(.created)
            #expect(try next.decode(HubAPI.AgreementView.self).agreement.amendment?.number == 1)
        }
        let withdrawn = try await fixture.store.auditEntries(matching: AuditQuery(action: "agreement.amendment_withdrawn"))
        #expect(withdrawn.count == 1 && withdrawn.first?.details["reason"] == "需求变化")
    }

    @Test("an amendment adding a 重要 item is refused without the authority's acknowledgement, naming the field and the level, and filed with it",
          arguments: StoreBackend.allCases)
    func addedImportantItemNeedsAcknowledgement(_ backend: StoreBackend) async throws {
        let (fixture, terms) = try await activePopulation(backend)
        let consumer = fixture.party(terms.consumer), provider = fixture.party(terms.provider)
        let address = "住址"
        try await fixture.hub.withClient { client in
            try await client.amend(terms.id, HubAPI.Amend(items: terms.items + [address], reason: "核对参保人员居住地"), token: consumer.token).expect(.created)
            try await client.signAmendment(terms.id, as: consumer).expect(.ok)
            try await client.signAmendment(terms.id, as: provider).expect(.ok)
            let path = "/v1/agreements/\(terms.id)/amendment/filing"
            for body in [HubAPI.Filing(), HubAPI.Filing(acknowledgedLevels: ["核心"]), HubAPI.Filing(acknowledgedLevels: ["一般"])] {
                let refused = try await client.call(.post, path, token: fixture.adminToken, json: body)
                #expect(refused.status == .badRequest, "\(body.acknowledgedLevels ?? [])")
                #expect(refused.error?.field == "acknowledged_levels", "\(refused.text)")
            }
            let bare = try await client.call(.post, path, token: fixture.adminToken)
            #expect(bare.status == .badRequest && bare.error?.field == "acknowledged_levels")
            #expect(bare.error?.error.contains("must acknowledge 重要") == true && bare.error?.error.contains("\(address) (重要)") == true, "\(bare.text)")
            #expect(try await client.agreementView(terms.id, token: fixture.adminToken).terms == terms, "nothing filed while refused")

            let filed = try await client.call(.post, path, token: fixture.adminToken, json: HubAPI.Filing(reason: "经审核同意", acknowledgedLevels: ["重要"]))
            try filed.expect(.ok)
            let agreement = try filed.decode(HubAPI.AgreementView.self).agreement
            #expect(agreement.terms.items.contains(address) && agreement.filing?.acknowledgedLevels == ["重要"])
            #expect(agreement.history.last?.filing?.acknowledgedLevels == ["重要"])
        }
        let amended = try await fixture.store.auditEntries(matching: AuditQuery(action: "agreement.amended"))
        #expect(amended.count == 1)
        #expect(amended.first?.details["acknowledged_levels"] == .array([.string("重要")]) && amended.first?.details["reason"] == "经审核同意")
    }

    @Test("an amendment of an agreement sharing only 一般 items is filed without an acknowledgement, and one claiming 重要 is refused",
          arguments: StoreBackend.allCases)
    func generalItemsNeedNoAcknowledgement(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        try await fixture.hub.withClient { client in
            let terms = try await fixture.agreement("FC-001", through: .filed, client: client)
            let consumer = fixture.party(terms.consumer), provider = fixture.party(terms.provider)
            try await client.amend(terms.id, HubAPI.Amend(frequency: .weekly, reason: "改为每周"), token: consumer.token).expect(.created)
            try await client.signAmendment(terms.id, as: consumer).expect(.ok)
            try await client.signAmendment(terms.id, as: provider).expect(.ok)
            let path = "/v1/agreements/\(terms.id)/amendment/filing"
            let claimed = try await client.call(.post, path, token: fixture.adminToken, json: HubAPI.Filing(acknowledgedLevels: ["重要"]))
            #expect(claimed.status == .badRequest && claimed.error?.field == "acknowledged_levels")
            #expect(claimed.error?.error.contains("no agreed item is 重要") == true, "\(claimed.text)")
            let filed = try await client.call(.post, path, token: fixture.adminToken)
            try filed.expect(.ok)
            let agreement = try filed.decode(HubAPI.AgreementView.self).agreement
            #expect(agreement.terms.frequency == .weekly && agreement.filing?.acknowledgedLevels == nil)
        }
    }
}
