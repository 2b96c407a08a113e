import Foundation
import GXCrypto
import GXDomain
import GXHub
import GXStorage
import GXTestSupport
import HummingbirdTesting
import Testing

extension ObjectionRequest {
    /// 人社局 disputes the name of citizen 1 it received from 公安局 under BJ-GX-2026-004.
    static let name = ObjectionRequest(agreement: PopulationBatch.agreement, key: [PopulationBatch.citizenID(1)], items: ["姓名"],
                                       problem: "姓名与社保档案不符", evidence: "社保档案 2026-0001 号")
}

extension TestClientProtocol {
    func raise(_ request: ObjectionRequest, as party: HubFixture.Party) async throws -> TestResponse {
        try await call(.post, "/v1/objections", token: party.token, json: request)
    }

    func raised(_ request: ObjectionRequest, as party: HubFixture.Party) async throws -> Objection {
        let response = try await raise(request, as: party)
        try response.expect(.created)
        return try response.decode(HubAPI.ObjectionView.self).objection
    }

    func answer(_ id: String, _ decision: ObjectionAnswer.Decision, reason: String? = nil, as party: HubFixture.Party) async throws -> TestResponse {
        try await call(.post, "/v1/objections/\(id)/answer", token: party.token, json: ObjectionAnswer(decision: decision, reason: reason))
    }
}

@Suite("Objections (数据异议) through the hub")
struct ObjectionWorkflowTests {
    static var thisYear: Int { Timestamp.beijingDay(of: Date()).year }

    /// The population agreement filed (active) between 公安局 and 人社局.
    static func active(_ backend: StoreBackend) async throws -> HubFixture {
        let fixture = try await HubFixture.loaded(backend)
        try await fixture.hub.withClient { client in _ = try await fixture.agreement("RK-001", through: .filed, client: client) }
        return fixture
    }

    @Test("a consumer raises an objection: open, flagged, the provider's deadline in working days, an audit entry naming both parties",
          arguments: StoreBackend.allCases)
    func raise(_ backend: StoreBackend) async throws {
        let fixture = try await Self.active(backend)
        let before = Date()
        let objection = try await fixture.hub.withClient { client in
            try await client.raised(.name, as: fixture.party(PopulationBatch.consumer))
        }
        #expect(objection.id == "YY-\(Self.thisYear)-001")
        #expect(objection.state == .open)
        #expect(objection.provider == PopulationBatch.provider)
        #expect(objection.resourceCode == "RK-001")
        let expected = Timestamp.string(from: fixture.hub.calendar.deadline(from: before, workingDays: 5))
        #expect(objection.deadline == expected)
        let entries = try await fixture.store.auditEntries(matching: AuditQuery(action: "objection.raised"))
        #expect(entries.map(\.subject) == [objection.id])
        #expect(Set(entries[0].agencies) == [PopulationBatch.provider, PopulationBatch.consumer])
        #expect(entries[0].agreement == PopulationBatch.agreement)
    }

    @Test("raising is refused to the provider and to other agencies, for items outside the agreement, under a draft agreement, and twice on one record",
          arguments: StoreBackend.allCases)
    func raiseRefusals(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        try await fixture.hub.withClient { client in
            _ = try await fixture.agreement("RK-001", through: .draft, client: client)
            let consumer = fixture.party(PopulationBatch.consumer)
            let draft = try await client.raise(.name, as: consumer)
            #expect(draft.status == .badRequest && draft.error?.field == "agreement", "\(draft.text)")
        }
        let active = try await Self.active(backend)
        try await active.hub.withClient { client in
            let consumer = active.party(PopulationBatch.consumer)
            try await client.raise(.name, as: active.party(PopulationBatch.provider)).expect(.forbidden)
            try await client.raise(.name, as: active.party(DemandParties.taxBureau)).expect(.forbidden)
            var outside = ObjectionRequest.name
            outside.items = ["住址"] // in the catalogue, not agreed
            let refused = try await client.raise(outside, as: consumer)
            #expect(refused.status == .badRequest && refused.error?.field == "items", "\(refused.text)")
            _ = try await client.raised(.name, as: consumer)
            let twice = try await client.raise(.name, as: consumer)
            #expect(twice.status == .badRequest && twice.error?.field == "key", "\(twice.text)")
        }
    }

    @Test("only the provider answers; a rejection needs a reason and ends the objection; an answered one is not answered again",
          arguments: StoreBackend.allCases)
    func answer(_ backend: StoreBackend) async throws {
        let fixture = try await Self.active(backend)
        let consumer = fixture.party(PopulationBatch.consumer), provider = fixture.party(PopulationBatch.provider)
        try await fixture.hub.withClient { client in
            let objection = try await client.raised(.name, as: consumer)
            try await client.answer(objection.id, .confirmed, as: consumer).expect(.forbidden)
            let bare = try await client.answer(objection.id, .rejected, as: provider)
            #expect(bare.status == .badRequest && bare.error?.field == "reason", "\(bare.text)")
            let rejected = try await client.answer(objection.id, .rejected, reason: "户籍档案核实无误", as: provider)
            try rejected.expect(.ok)
            let view = try rejected.decode(HubAPI.ObjectionView.self)
            #expect(view.objection.state == .rejected && view.objection.answer?.reason == "户籍档案核实无误" && view.awaiting == nil)
            try await client.answer(objection.id, .confirmed, as: provider).expect(.conflict)
            // Final: the same record may be objected to again.
            _ = try await client.raised(.name, as: consumer)
        }
        let answered = try await fixture.store.auditEntries(matching: AuditQuery(action: "objection.answered"))
        #expect(answered.count == 1 && answered[0].details["decision"] == .string("rejected"))
    }

    @Test("a confirmed objection stays open through a batch without its key and is closed, in the batch's transaction, by the one that carries it",
          arguments: StoreBackend.allCases)
    func closedByBatch(_ backend: StoreBackend) async throws {
        let fixture = try await Self.active(backend)
        let consumer = fixture.party(PopulationBatch.consumer), provider = fixture.party(PopulationBatch.provider)
        try await fixture.hub.withClient { client in
            try await client.push(try PopulationBatch.build((1...3).map { PopulationBatch.record($0) }, sequence: 1, key: provider.key),
                                  token: provider.token).expect(.created)
            let objection = try await client.raised(.name, as: consumer)
            try await client.answer(objection.id, .confirmed, as: provider).expect(.ok)
            try await client.push(try PopulationBatch.build([PopulationBatch.record(2, name: "李四")], sequence: 2, key: provider.key),
                                  token: provider.token).expect(.created)
            #expect(try await fixture.store.objection(id: objection.id)?.state == .confirmed)
            try await client.push(try PopulationBatch.build([PopulationBatch.record(1, name: "张山")], sequence: 3, key: provider.key),
                                  token: provider.token).expect(.created)
            let closed = try #require(try await fixture.store.objection(id: objection.id))
            #expect(closed.state == .closed && closed.closedBy == "RK-001#3")
            let flagged = try await client.call(.get, "/v1/objections?flagged=true&agreement=\(PopulationBatch.agreement)", token: consumer.token)
                .decode([HubAPI.ObjectionView].self)
            #expect(flagged.isEmpty)
        }
        let closing = try await fixture.store.auditEntries(matching: AuditQuery(action: "objection.closed"))
        let accepted = try await fixture.store.auditEntries(matching: AuditQuery(action: "batch.accepted"))
        #expect(closing.count == 1 && closing[0].details["batch"] == .string("RK-001#3"))
        // Sealed in the same commit as the batch's acceptance: the entries are consecutive.
        let third = try #require(accepted.first { $0.subject == "RK-001#3" })
        #expect(closing[0].seq == third.seq + 1)
    }

    @Test("an objection unanswered past its deadline is escalated to the authority with an audit entry, listed as overdue, and may still be answered",
          arguments: StoreBackend.allCases)
    func escalation(_ backend: StoreBackend) async throws {
        let fixture = try await Self.active(backend)
        let workflow = ObjectionWorkflow(hub: fixture.hub)
        let raisedAt = try #require(Timestamp.date(from: "2026-09-30T02:00:00Z"))
        let objection = try await workflow.raise(.name, by: .agency(code: PopulationBatch.consumer), at: raisedAt)
        var other = ObjectionRequest.name
        other.key = [PopulationBatch.citizenID(2)]
        let answered = try await workflow.raise(other, by: .agency(code: PopulationBatch.consumer), at: raisedAt)
        _ = try await workflow.answer(answered.id, ObjectionAnswer(decision: .confirmed), by: .agency(code: PopulationBatch.provider), at: raisedAt)
        // 5 working days from 30 September cross the National Day holiday (1–7 October off, 10 October worked).
        let deadline = try #require(Timestamp.date(from: objection.deadline))
        #expect(objection.deadline > "2026-10-12")
        #expect(try await workflow.escalateOverdue(at: deadline.addingTimeInterval(-1)).isEmpty)
        let escalated = try await workflow.escalateOverdue(at: deadline)
        #expect(escalated.map(\.id) == [objection.id])
        #expect(try await workflow.escalateOverdue(at: deadline.addingTimeInterval(60)).isEmpty, "escalated once")
        let stored = try #require(try await fixture.store.objection(id: objection.id))
        #expect(stored.state == .escalated && stored.awaiting == "authority")
        #expect(try await workflow.overdue(at: deadline).map(\.id) == [objection.id])
        let entries = try await fixture.store.auditEntries(matching: AuditQuery(action: "objection.escalated"))
        #expect(entries.map(\.subject) == [objection.id] && entries[0].actor == "admin:hub")
        let late = try await workflow.answer(objection.id, ObjectionAnswer(decision: .rejected, reason: "核实无误"),
                                             by: .agency(code: PopulationBatch.provider), at: deadline.addingTimeInterval(3600))
        #expect(late.state == .rejected && late.answeredInTime == false)
    }

    @Test("an agency sees only the objections it is party to; a consumer of the resource sees its flags; the admin sees all",
          arguments: StoreBackend.allCases)
    func visibility(_ backend: StoreBackend) async throws {
        let fixture = try await Self.active(backend)
        try await fixture.hub.withClient { client in
            let objection = try await client.raised(.name, as: fixture.party(PopulationBatch.consumer))
            let other = fixture.party(DemandParties.taxBureau)
            try await client.call(.get, "/v1/objections/\(objection.id)", token: other.token).expect(.forbidden)
            #expect(try await client.call(.get, "/v1/objections", token: other.token).decode([HubAPI.ObjectionView].self).isEmpty)
            try await client.call(.get, "/v1/objections?flagged=true&agreement=\(PopulationBatch.agreement)", token: other.token).expect(.forbidden)
            let mine = try await client.call(.get, "/v1/objections?flagged=true&agreement=\(PopulationBatch.agreement)",
                                             token: fixture.party(PopulationBatch.consumer).token).decode([HubAPI.ObjectionView].self)
            #expect(mine.map(\.objection.id) == [objection.id])
            let all = try await client.call(.get, "/v1/objections?state=open", token: fixture.adminToken).decode([HubAPI.ObjectionView].self)
            #expect(all.map(\.objection.id) == [objection.id])
            let bad = try await client.call(.get, "/v1/objections?state=nope", token: fixture.adminToken)
            #expect(bad.status == .badRequest && bad.error?.field == "state")
        }
    }

    @Test("another consumer of the resource sees the flag on the record through its own agreement, but not what the objection says",
          arguments: StoreBackend.allCases)
    func flagForEveryConsumer(_ backend: StoreBackend) async throws {
        let fixture = try await Self.active(backend)
        var terms = try #require(try SampleDocuments.agreementTerms().first { $0.resourceCode == "RK-001" })
        terms.id = "BJ-GX-2026-009"
        terms.consumer = DemandParties.taxBureau
        let other = fixture.party(DemandParties.taxBureau)
        try await fixture.hub.withClient { [terms] client in
            try await client.call(.post, "/v1/agreements", token: fixture.adminToken, json: terms).expect(.created)
            try await client.sign(terms, as: other).expect(.ok)
            try await client.sign(terms, as: fixture.party(PopulationBatch.provider)).expect(.ok)
            try await client.call(.post, "/v1/agreements/\(terms.id)/filing", token: fixture.adminToken,
                                  json: HubAPI.Filing(acknowledgedLevels: try SampleDocuments.levelsToAcknowledge(terms))).expect(.ok)
            let objection = try await client.raised(.name, as: fixture.party(PopulationBatch.consumer))
            let flags = try await client.call(.get, "/v1/objections?flagged=true&agreement=\(terms.id)", token: other.token)
                .decode([HubAPI.ObjectionView].self)
            #expect(flags.map(\.objection.id) == [objection.id])
            #expect(flags.first?.objection.keyText == PopulationBatch.citizenID(1))
            #expect(flags.first?.objection.problem == "" && flags.first?.objection.evidence == nil)
            try await client.call(.get, "/v1/objections/\(objection.id)", token: other.token).expect(.forbidden)
        }
    }

    @Test("objections awaiting an answer past their deadline are counted in gongxiang_objections_overdue")
    func overdueMetric() async throws {
        let fixture = try await Self.active(.sqlite)
        let workflow = ObjectionWorkflow(hub: fixture.hub)
        _ = try await workflow.raise(.name, by: .agency(code: PopulationBatch.consumer), at: Date().addingTimeInterval(-30 * 86_400))
        var fresh = ObjectionRequest.name
        fresh.key = [PopulationBatch.citizenID(2)]
        _ = try await workflow.raise(fresh, by: .agency(code: PopulationBatch.consumer), at: Date())
        let metrics = try await fixture.hub.withClient { client in
            try await client.call(.get, "/metrics", token: fixture.adminToken).text
        }
        #expect(OperationsTests.value("gongxiang_objections_overdue", in: metrics) == 1, "\(metrics)")
    }

    @Test("the store tallies the objections raised in a period: answered in time, late, unanswered, closed, escalated", arguments: StoreBackend.allCases)
    func tally(_ backend: StoreBackend) async throws {
        let fixture = try await Self.active(backend)
        let workflow = ObjectionWorkflow(hub: fixture.hub)
        let consumer = Principal.agency(code: PopulationBatch.consumer), provider = Principal.agency(code: PopulationBatch.provider)
        let march = try #require(Timestamp.date(from: "2026-03-02T02:00:00Z"))
        func raise(_ serial: Int, at time: Date) async throws -> Objection {
            var request = ObjectionRequest.name
            request.key = [PopulationBatch.citizenID(serial)]
            return try await workflow.raise(request, by: consumer, at: time)
        }
        let inTime = try await raise(1, at: march)
        _ = try await workflow.answer(inTime.id, ObjectionAnswer(decision: .confirmed), by: provider, at: march.addingTimeInterval(3600))
        let late = try await raise(2, at: march)
        try await workflow.escalateOverdue(at: march.addingTimeInterval(30 * 86400))
        _ = try await workflow.answer(late.id, ObjectionAnswer(decision: .rejected, reason: "无误"), by: provider, at: march.addingTimeInterval(31 * 86400))
        _ = try await raise(3, at: march)
        _ = try await raise(4, at: try #require(Timestamp.date(from: "2027-01-05T02:00:00Z")))
        let tally = try await fixture.store.objectionTally(raisedFrom: "2026-01-01T00:00:00Z", before: "2027-01-01T00:00:00Z")
        #expect(tally.raised == 3)
        #expect(tally.answeredInTime == 1 && tally.answeredLate == 1 && tally.unanswered == 1)
        #expect(tally.confirmed == 1 && tally.rejected == 1 && tally.escalated == 1)
        // The yearly statistics count the same: three raised in March 2026, one answered in time.
        let statistics = try await OversightWorkflow(hub: fixture.hub).statistics(year: 2026, month: nil, agency: nil, now: march.addingTimeInterval(40 * 86400))
        #expect(statistics.total.objectionsRaised == 3 && statistics.total.objectionsResolvedOnTime == 1)
        #expect(statistics.byMonth[2].objectionsRaised == 3 && statistics.byMonth[0].objectionsRaised == 0)
        #expect(statistics.byResource.first { $0.key == "RK-001" }?.objectionsRaised == 3)
        #expect(statistics.byAgency.first { $0.key == PopulationBatch.provider }?.objectionsResolvedOnTime == 1)
    }
}
