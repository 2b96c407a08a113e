import Foundation
import GXCrypto
import GXDomain
import GXHub
import GXStorage
import GXTestSupport
import HummingbirdTesting
import Testing

/// Sample parties: consumers 人社局 and 地税局, providers 公安局 (RK-001, 有条件共享) and 质监局 (FR-001, 无条件共享).
enum DemandParties {
    static let socialSecurity = "11110000000021063W"
    static let taxBureau = "11110000000021020F"
    static let police = "111100000000210552"
    static let qualityBureau = "11110000000021039C"
}

extension DemandRequest {
    static let population = DemandRequest(resourceCode: "RK-001", items: ["公民身份号码", "姓名", "出生日期", "人员状态代码", "住址"],
                                          purpose: "社会保险待遇领取资格认证。", basis: "《中华人民共和国社会保险法》第七十四条",
                                          validFrom: CalendarDate("2026-01-01")!, validUntil: CalendarDate("2028-12-31")!)
    static let legalEntities = DemandRequest(resourceCode: "FR-001", items: ["统一社会信用代码", "机构名称", "法人代表"],
                                             purpose: "核实纳税人主体信息。", validFrom: CalendarDate("2026-01-01")!, validUntil: CalendarDate("2027-12-31")!)
}

extension TestClientProtocol {
    func submit(_ request: DemandRequest, as party: HubFixture.Party) async throws -> TestResponse {
        try await call(.post, "/v1/demands", token: party.token, json: request)
    }

    /// Submits and returns the stored demand, failing the test unless it was created.
    func submitted(_ request: DemandRequest, as party: HubFixture.Party) async throws -> SharingDemand {
        let response = try await submit(request, as: party)
        try response.expect(.created)
        return try response.decode(HubAPI.DemandView.self).demand
    }

    func review(_ id: String, _ decision: DemandReview.Decision, reason: String? = nil, token: String) async throws -> TestResponse {
        try await call(.post, "/v1/demands/\(id)/review", token: token, json: DemandReview(decision: decision, reason: reason))
    }

    func reply(_ id: String, _ reply: DemandReply, as party: HubFixture.Party) async throws -> TestResponse {
        try await call(.post, "/v1/demands/\(id)/reply", token: party.token, json: reply)
    }

    func demand(_ id: String, token: String) async throws -> SharingDemand {
        try await call(.get, "/v1/demands/\(id)", token: token).decode(HubAPI.DemandView.self).demand
    }
}

@Suite("Demands (共享需求) through the hub")
struct DemandWorkflowTests {
    static var thisYear: Int { Timestamp.beijingDay(of: Date()).year }

    @Test("a submitted demand gets the authority's review deadline in working days, its key items, and an audit entry", arguments: StoreBackend.allCases)
    func submit(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        let before = Date()
        let demand = try await fixture.hub.withClient { client in
            var request = DemandRequest.population
            request.items.removeFirst() // the key item is added back
            return try await client.submitted(request, as: fixture.party(DemandParties.socialSecurity))
        }
        #expect(demand.state == .submitted)
        #expect(demand.id == "XQ-\(Self.thisYear)-001")
        #expect(demand.provider == DemandParties.police)
        #expect(demand.request.items.first == "公民身份号码")
        #expect(demand.request.frequency == .daily)
        let expected = Timestamp.string(from: fixture.hub.calendar.deadline(from: before, workingDays: DemandWorkflow.reviewWorkingDays))
        #expect(demand.deadline == expected)
        let entries = try await fixture.store.auditEntries(matching: AuditQuery(action: "demand.submitted"))
        #expect(entries.map(\.subject) == [demand.id])
        #expect(Set(entries[0].agencies) == [DemandParties.police, DemandParties.socialSecurity])
    }

    @Test("a demand for a 不予共享 resource is refused on submission, naming the catalogue's basis", arguments: StoreBackend.allCases)
    func notSharedRefused(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        var entry = try #require(try SampleDocuments.catalogue()["RK-001"])
        entry.resourceCode = "RK-009"
        entry.name = "涉密人员信息"
        entry.sharingType = .notShared
        entry.sharingBasis = "《中华人民共和国保守国家秘密法》第二十八条"
        let published = entry
        let demand = try await fixture.hub.withClient { client in
            try await client.call(.post, "/v1/catalogue", token: fixture.adminToken, json: published).expect(.created)
            var request = DemandRequest.population
            request.resourceCode = "RK-009"
            return try await client.submitted(request, as: fixture.party(DemandParties.socialSecurity))
        }
        #expect(demand.state == .refused)
        #expect(demand.stateReason?.contains("保守国家秘密法") == true)
        #expect(demand.deadline == nil)
        let actions = try await fixture.store.auditEntries(matching: AuditQuery(agency: DemandParties.socialSecurity)).map(\.action)
        #expect(actions.suffix(2) == ["demand.submitted", "demand.refused"])
    }

    @Test("submissions naming items outside the catalogue, no basis for 有条件共享, or no purpose are refused naming the field", arguments: StoreBackend.allCases)
    func badSubmissions(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        try await fixture.hub.withClient { client in
            let consumer = fixture.party(DemandParties.socialSecurity)
            var outside = DemandRequest.population
            outside.items.append("存款余额")
            let refusedItem = try await client.submit(outside, as: consumer)
            #expect(refusedItem.status == .badRequest)
            #expect(refusedItem.error?.field == "items")
            #expect(refusedItem.error?.error.contains("存款余额") == true)
            var noBasis = DemandRequest.population
            noBasis.basis = "  "
            #expect(try await client.submit(noBasis, as: consumer).error?.field == "basis")
            var noPurpose = DemandRequest.population
            noPurpose.purpose = ""
            #expect(try await client.submit(noPurpose, as: consumer).error?.field == "purpose")
            var unknown = DemandRequest.population
            unknown.resourceCode = "XX-404"
            #expect(try await client.submit(unknown, as: consumer).error?.field == "resource")
            // A provider-only agency does not ask for data, and the admin cannot submit for an agency.
            #expect(try await client.submit(.population, as: fixture.party(DemandParties.qualityBureau)).status == .forbidden)
            #expect(try await client.call(.post, "/v1/demands", token: fixture.adminToken, json: DemandRequest.population).status == .forbidden)
        }
        #expect(try await fixture.store.demands(matching: DemandQuery()).isEmpty)
    }

    @Test("有条件共享: the authority forwards, the provider accepts, and the hub draws up the next free draft agreement", arguments: StoreBackend.allCases)
    func conditionalAccepted(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        try await fixture.hub.withClient { client in
            // A shipped agreement already holds BJ-GX-2026-001 (this year's first when the year is 2026).
            _ = try await fixture.agreement("FC-001", through: .draft, client: client)
            let demand = try await client.submitted(.population, as: fixture.party(DemandParties.socialSecurity))
            try await client.review(demand.id, .take, token: fixture.adminToken).expect(.ok)
            #expect(try await client.demand(demand.id, token: fixture.adminToken).state == .underReview)
            let forwardedAt = Date()
            let forwarded = try await client.review(demand.id, .forward, token: fixture.adminToken).decode(HubAPI.DemandView.self)
            #expect(forwarded.demand.state == .forwarded)
            #expect(forwarded.awaiting == DemandParties.police)
            let replyDeadline = Timestamp.string(from: fixture.hub.calendar.deadline(from: forwardedAt, workingDays: DemandWorkflow.replyWorkingDays))
            #expect(forwarded.demand.deadline == replyDeadline)
            let granted = try await client.reply(demand.id, DemandReply(decision: .accept), as: fixture.party(DemandParties.police)).decode(HubAPI.DemandView.self).demand
            #expect(granted.state == .granted)
            #expect(granted.deadline == nil)
            let year = Self.thisYear
            let expectedID = year == 2026 ? "BJ-GX-2026-002" : "BJ-GX-\(year)-001"
            #expect(granted.agreement == expectedID)
            let view = try await client.call(.get, "/v1/agreements/\(expectedID)", token: fixture.party(DemandParties.socialSecurity).token)
                .decode(HubAPI.AgreementView.self)
            let terms = view.agreement.terms
            #expect(view.agreement.state == .draft)
            #expect(terms.demand == demand.id)
            #expect(terms.items == DemandRequest.population.items)
            #expect(terms.consumer == DemandParties.socialSecurity && terms.provider == DemandParties.police)
            #expect(terms.basis == DemandRequest.population.basis)
            #expect(terms.duties.use == "北京市人力资源和社会保障局仅用于社会保险待遇领取资格认证，不得用于其他目的，不得向第三方提供。")
        }
        let actions = try await fixture.store.auditEntries(matching: AuditQuery(agency: DemandParties.socialSecurity)).map(\.action)
        #expect(actions.suffix(5) == ["demand.submitted", "demand.reviewed", "demand.reviewed", "demand.replied", "agreement.drafted"])
    }

    @Test("the provider accepts fewer items, each refused item with its reason; the agreement carries the rest", arguments: StoreBackend.allCases)
    func acceptFewer(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        try await fixture.hub.withClient { client in
            let police = fixture.party(DemandParties.police)
            let demand = try await client.submitted(.population, as: fixture.party(DemandParties.socialSecurity))
            try await client.review(demand.id, .forward, token: fixture.adminToken).expect(.ok)
            let noReason = try await client.reply(demand.id, DemandReply(decision: .acceptFewer, refusedItems: [.init(item: "住址", reason: " ")]), as: police)
            #expect(noReason.status == .badRequest)
            #expect(noReason.error?.field == "refused_items[0].reason")
            let notAsked = try await client.reply(demand.id, DemandReply(decision: .acceptFewer, refusedItems: [.init(item: "婚姻状况代码", reason: "无")]), as: police)
            #expect(notAsked.error?.field == "refused_items[0].item")
            let key = try await client.reply(demand.id, DemandReply(decision: .acceptFewer, refusedItems: [.init(item: "公民身份号码", reason: "敏感")]), as: police)
            #expect(key.error?.field == "refused_items[0].item")
            let none = try await client.reply(demand.id, DemandReply(decision: .acceptFewer), as: police)
            #expect(none.error?.field == "refused_items")
            let reply = DemandReply(decision: .acceptFewer, refusedItems: [.init(item: "住址", reason: "住址不属于资格认证所必需的信息项")])
            let granted = try await client.reply(demand.id, reply, as: police).decode(HubAPI.DemandView.self).demand
            #expect(granted.state == .partiallyGranted)
            #expect(granted.reply?.refusedItems.first?.reason == "住址不属于资格认证所必需的信息项")
            let agreement = try #require(granted.agreement)
            let terms = try await client.call(.get, "/v1/agreements/\(agreement)", token: fixture.adminToken).decode(HubAPI.AgreementView.self).agreement.terms
            #expect(terms.items == ["公民身份号码", "姓名", "出生日期", "人员状态代码"])
        }
    }

    @Test("the provider's refusal needs a reason; only the resource's provider replies, and only to a forwarded demand", arguments: StoreBackend.allCases)
    func providerRefusal(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        try await fixture.hub.withClient { client in
            let police = fixture.party(DemandParties.police)
            let consumer = fixture.party(DemandParties.socialSecurity)
            let demand = try await client.submitted(.population, as: consumer)
            // Not yet forwarded: the provider cannot reply.
            #expect(try await client.reply(demand.id, DemandReply(decision: .accept), as: police).status == .conflict)
            try await client.review(demand.id, .forward, token: fixture.adminToken).expect(.ok)
            // The consumer, another provider, the admin: not the provider.
            #expect(try await client.reply(demand.id, DemandReply(decision: .accept), as: consumer).status == .forbidden)
            #expect(try await client.reply(demand.id, DemandReply(decision: .accept), as: fixture.party(DemandParties.qualityBureau)).status == .forbidden)
            #expect(try await client.call(.post, "/v1/demands/\(demand.id)/reply", token: fixture.adminToken, json: DemandReply(decision: .accept)).status == .forbidden)
            let bare = try await client.reply(demand.id, DemandReply(decision: .refuse), as: police)
            #expect(bare.status == .badRequest)
            #expect(bare.error?.field == "reason")
            let refused = try await client.reply(demand.id, DemandReply(decision: .refuse, reason: "该用途可通过比对核实满足，不提供批量数据"), as: police)
                .decode(HubAPI.DemandView.self).demand
            #expect(refused.state == .refused)
            #expect(refused.stateReason == "该用途可通过比对核实满足，不提供批量数据")
            #expect(refused.agreement == nil)
            // Decided: nothing more moves it.
            #expect(try await client.reply(demand.id, DemandReply(decision: .accept), as: police).status == .conflict)
            #expect(try await client.call(.post, "/v1/demands/\(demand.id)/withdraw", token: consumer.token).status == .conflict)
        }
        #expect(try await fixture.store.agreements(matching: AgreementQuery()).isEmpty)
    }

    @Test("无条件共享: the authority grants, and may not forward; 有条件共享 may not be granted by the authority", arguments: StoreBackend.allCases)
    func unconditionalGranted(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        try await fixture.hub.withClient { client in
            let tax = fixture.party(DemandParties.taxBureau)
            let open = try await client.submitted(.legalEntities, as: tax)
            let forward = try await client.review(open.id, .forward, token: fixture.adminToken)
            #expect(forward.status == .badRequest)
            #expect(forward.error?.field == "decision")
            let granted = try await client.review(open.id, .grant, token: fixture.adminToken).decode(HubAPI.DemandView.self).demand
            #expect(granted.state == .granted)
            #expect(granted.agreement != nil)
            let conditional = try await client.submitted(.population, as: fixture.party(DemandParties.socialSecurity))
            #expect(try await client.review(conditional.id, .grant, token: fixture.adminToken).error?.field == "decision")
            // An agency cannot review.
            #expect(try await client.review(conditional.id, .forward, token: tax.token).status == .forbidden)
        }
    }

    @Test("the authority's refusal needs a reason and is final", arguments: StoreBackend.allCases)
    func authorityRefusal(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        try await fixture.hub.withClient { client in
            let demand = try await client.submitted(.legalEntities, as: fixture.party(DemandParties.taxBureau))
            #expect(try await client.review(demand.id, .refuse, token: fixture.adminToken).error?.field == "reason")
            let refused = try await client.review(demand.id, .refuse, reason: "重复申请，已有有效协议", token: fixture.adminToken).decode(HubAPI.DemandView.self).demand
            #expect(refused.state == .refused)
            #expect(refused.review?.by == "admin:authority")
            #expect(try await client.review(demand.id, .grant, token: fixture.adminToken).status == .conflict)
            #expect(try await client.review(demand.id, .take, token: fixture.adminToken).status == .conflict)
        }
    }

    @Test("only the consumer withdraws its own undecided demand", arguments: StoreBackend.allCases)
    func withdraw(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        try await fixture.hub.withClient { client in
            let consumer = fixture.party(DemandParties.socialSecurity)
            let demand = try await client.submitted(.population, as: consumer)
            #expect(try await client.call(.post, "/v1/demands/\(demand.id)/withdraw", token: fixture.party(DemandParties.police).token).status == .forbidden)
            #expect(try await client.call(.post, "/v1/demands/\(demand.id)/withdraw", token: fixture.party(DemandParties.taxBureau).token).status == .forbidden)
            #expect(try await client.call(.post, "/v1/demands/\(demand.id)/withdraw", token: fixture.adminToken).status == .forbidden)
            try await client.review(demand.id, .forward, token: fixture.adminToken).expect(.ok)
            let withdrawn = try await client.call(.post, "/v1/demands/\(demand.id)/withdraw", token: consumer.token, json: HubAPI.Withdraw(reason: "需求已变更"))
                .decode(HubAPI.DemandView.self)
            #expect(withdrawn.demand.state == .withdrawn)
            #expect(withdrawn.demand.stateReason == "需求已变更")
            #expect(withdrawn.awaiting == nil)
            #expect(try await client.reply(demand.id, DemandReply(decision: .accept), as: fixture.party(DemandParties.police)).status == .conflict)
        }
        let actions = try await fixture.store.auditEntries(matching: AuditQuery(action: "demand.withdrawn"))
        #expect(actions.map(\.actor) == ["agency:\(DemandParties.socialSecurity)"])
    }

    @Test("an agency sees only demands it is party to; auditors see all", arguments: StoreBackend.allCases)
    func visibility(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        try await fixture.hub.withClient { client in
            let population = try await client.submitted(.population, as: fixture.party(DemandParties.socialSecurity))
            let entities = try await client.submitted(.legalEntities, as: fixture.party(DemandParties.taxBureau))
            let police = fixture.party(DemandParties.police)
            let listed = try await client.call(.get, "/v1/demands", token: police.token).decode([HubAPI.DemandView].self)
            #expect(listed.map(\.demand.id) == [population.id])
            #expect(try await client.call(.get, "/v1/demands/\(entities.id)", token: police.token).status == .forbidden)
            let auditor = try await client.call(.post, "/v1/auditors", token: fixture.adminToken, json: HubAPI.AddAuditor(name: "audit-office"))
                .decode(HubAPI.IssuedCredential.self)
            let all = try await client.call(.get, "/v1/demands", token: auditor.token).decode([HubAPI.DemandView].self)
            #expect(all.map(\.demand.id) == [population.id, entities.id])
            #expect(try await client.call(.post, "/v1/demands", token: auditor.token, json: DemandRequest.population).status == .forbidden)
            #expect(try await client.review(population.id, .take, token: auditor.token).status == .forbidden)
            let bad = try await client.call(.get, "/v1/demands?state=lost", token: fixture.adminToken)
            #expect(bad.error?.field == "state")
        }
    }

    @Test("overdue demands are listed for the authority and counted in the metric", arguments: StoreBackend.allCases)
    func overdue(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        try await fixture.hub.withClient { client in
            let late = try await client.submitted(.population, as: fixture.party(DemandParties.socialSecurity))
            _ = try await client.submitted(.legalEntities, as: fixture.party(DemandParties.taxBureau))
            // Submitted on Friday 2026-09-25 (中秋): two working days run out at the end of Tuesday Sep 29.
            var stored = try #require(try await fixture.store.demand(id: late.id))
            let submitted = CalendarDate("2026-09-25")!.startInChina.addingTimeInterval(9 * 3600)
            stored.submittedAt = Timestamp.string(from: submitted)
            stored.deadline = Timestamp.string(from: fixture.hub.calendar.deadline(from: submitted, workingDays: 2))
            #expect(stored.deadline == "2026-09-29T16:00:00.000Z")
            stored.revision += 1
            try await fixture.store.commit([.saveDemand(stored, expectedRevision: late.revision)], audit: [], at: Date())
            let overdue = try await client.call(.get, "/v1/demands?overdue=true", token: fixture.adminToken).decode([HubAPI.DemandView].self)
            #expect(overdue.map(\.demand.id) == [late.id])
            #expect(overdue.first?.overdue == true)
            #expect(overdue.first?.awaiting == "authority")
            let metrics = try await client.call(.get, "/metrics", token: fixture.adminToken).text
            #expect(metrics.contains(#"gongxiang_demands_overdue{awaiting="authority"} 1"#))
            #expect(metrics.contains(#"gongxiang_demands_overdue{awaiting="provider"} 0"#))
            // Decided, it is no longer overdue.
            try await client.review(late.id, .refuse, reason: "逾期未补充材料", token: fixture.adminToken).expect(.ok)
            #expect(try await client.call(.get, "/v1/demands?overdue=true", token: fixture.adminToken).decode([HubAPI.DemandView].self).isEmpty)
        }
    }

    @Test("a granted demand's draft is signed by both, filed and active; the TOML view reads back as the same terms", arguments: StoreBackend.allCases)
    func grantedToFiled(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        try await fixture.hub.withClient { client in
            let consumer = fixture.party(DemandParties.socialSecurity)
            let provider = fixture.party(DemandParties.police)
            let demand = try await client.submitted(.population, as: consumer)
            try await client.review(demand.id, .forward, token: fixture.adminToken).expect(.ok)
            let granted = try await client.reply(demand.id, DemandReply(decision: .accept), as: provider).decode(HubAPI.DemandView.self).demand
            let id = try #require(granted.agreement)
            let toml = try await client.call(.get, "/v1/agreements/\(id)/toml", token: consumer.token)
            try toml.expect(.ok)
            #expect(toml.headers[.contentType]?.hasPrefix("application/toml") == true)
            let terms = try TOMLDocument.decode(AgreementTerms.self, from: toml.text, source: "\(id).toml")
            let stored = try await client.call(.get, "/v1/agreements/\(id)", token: consumer.token).decode(HubAPI.AgreementView.self).agreement.terms
            #expect(terms == stored)
            #expect(try await client.call(.get, "/v1/agreements/\(id)/toml", token: fixture.party(DemandParties.taxBureau).token).status == .forbidden)
            try await client.sign(terms, as: consumer).expect(.ok)
            try await client.sign(terms, as: provider).expect(.ok)
            let filed = try await client.call(.post, "/v1/agreements/\(id)/filing", token: fixture.adminToken,
                                              json: HubAPI.Filing(acknowledgedLevels: ["重要"])).decode(HubAPI.AgreementView.self)
            #expect(filed.agreement.state == .active)
            #expect(filed.agreement.terms.demand == demand.id)
            #expect(try await client.demand(demand.id, token: consumer.token).agreement == id)
        }
    }
}

@Suite("The hub's working-day calendar at start-up")
struct HubCalendarWarningTests {
    @Test("the hub names the years its calendar does not cover: this year, and next year from December on")
    func uncoveredYears() async throws {
        let fixture = try await HubFixture.make(.sqlite)
        let hub = fixture.hub
        #expect(hub.uncoveredCalendarYears(at: CalendarDate("2026-06-01")!.startInChina) == [])
        #expect(hub.uncoveredCalendarYears(at: CalendarDate("2026-12-01")!.startInChina) == [2027])
        #expect(hub.uncoveredCalendarYears(at: CalendarDate("2027-03-01")!.startInChina) == [2027])
    }
}
