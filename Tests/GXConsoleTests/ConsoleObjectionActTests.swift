import Foundation
import GXConsole
import GXDomain
import GXHub
import GXStorage
import GXTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

/// Raising and answering an objection (数据异议) from the console: the same workflow as `gx objection` and
/// `/v1/objections`, behind the CSRF token, a confirmation and the workflow's own checks.
@Suite("Console objection forms")
struct ConsoleObjectionActTests {
    static let raise = "/console/objections/raise"

    /// The raise form's fields for BJ-GX-2026-001: one key value per key item, the first non-key item disputed.
    static func fields(_ csrf: String, confirm: Bool = true, item: Bool = true) throws -> [(String, String)] {
        let terms = try #require(try SampleDocuments.agreementTerms().first { $0.id == ConsoleFixture.activeAgreement })
        let entry = try #require(try SampleDocuments.catalogue()[terms.resourceCode])
        var fields = [("csrf", csrf), ("agreement", terms.id), ("problem", "面积与登记簿不符"), ("evidence", "不动产登记簿 2026-17")]
        fields += entry.keyItems.indices.map { ("key_\($0)", "110101000000000001") }
        let disputed = try #require(terms.items.firstIndex { name in !entry.keyItems.contains { $0.name == name } })
        if item { fields.append(("item_\(disputed)", "yes")) }
        if confirm { fields.append(("confirm", "yes")) }
        return fields
    }

    @Test("the consumer raises an objection from the console: the workflow's objection and audit entry, and a notice naming it",
          arguments: StoreBackend.allCases)
    func consumerRaises(backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        try await fixture.withClient { client in
            var consumer = Browser(client)
            try await consumer.signIn(fixture.agencyTokens[ConsoleFixture.consumer]!)
            let link = "href=\"\(Self.raise)?agreement=\(ConsoleFixture.activeAgreement)\""
            #expect(try await consumer.get("/console/agreements/\(ConsoleFixture.activeAgreement)").text.contains(link))
            #expect(try await consumer.get("/console/objections").text.contains(link))
            let form = try await consumer.get("\(Self.raise)?agreement=\(ConsoleFixture.activeAgreement)")
            try form.expect(.ok)
            #expect(form.text.contains("name=\"key_0\"") && form.text.contains("name=\"problem\"") && form.text.contains("name=\"confirm\""))
            let csrf = try await consumer.csrf()
            // Unconfirmed: refused, nothing raised.
            let unconfirmed = try await consumer.post(Self.raise, try Self.fields(csrf, confirm: false))
            #expect(unconfirmed.status == .badRequest)
            #expect(unconfirmed.text.contains("面积与登记簿不符"), "the form keeps what was typed")
            #expect(try await fixture.store.objections(matching: ObjectionQuery()).isEmpty)
            let done = try await consumer.post(Self.raise, try Self.fields(csrf))
            #expect(done.status == .seeOther)
            let raised = try #require(try await fixture.store.objections(matching: ObjectionQuery()).first)
            #expect(raised.consumer == ConsoleFixture.consumer && raised.state == .open && raised.problem == "面积与登记簿不符")
            #expect(raised.evidence == "不动产登记簿 2026-17")
            let page = try await consumer.get(try #require(done.location))
            #expect(page.text.contains("已提出数据异议 \(raised.id)"))
        }
        #expect(try await fixture.store.auditEntries(matching: AuditQuery(action: "objection.raised")).count == 1)
    }

    @Test("a raise the workflow refuses (no disputed item) shows its reason naming the field, and nothing is raised", arguments: [StoreBackend.sqlite])
    func refusedRaise(backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        try await fixture.withClient { client in
            var consumer = Browser(client)
            try await consumer.signIn(fixture.agencyTokens[ConsoleFixture.consumer]!)
            let response = try await consumer.post(Self.raise, try Self.fields(try await consumer.csrf(), item: false))
            #expect(response.status == .badRequest)
            #expect(response.text.contains("items"))
        }
        #expect(try await fixture.store.objections(matching: ObjectionQuery()).isEmpty)
    }

    @Test("the provider answers: a rejection without a reason is refused; with one the objection is rejected and audited",
          arguments: StoreBackend.allCases)
    func providerAnswers(backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        let objection = try await ConsoleObjectionTests.raised(fixture)
        let path = "/console/objections/\(objection.id)/answer"
        try await fixture.withClient { client in
            var provider = Browser(client)
            try await provider.signIn(fixture.agencyTokens[ConsoleFixture.provider]!)
            #expect(!(try await provider.get("/console/agreements/\(ConsoleFixture.activeAgreement)").text.contains(ConsoleObjectionActTests.raise)),
                    "the provider does not raise objections to its own data")
            let list = try await provider.get("/console/objections")
            #expect(list.text.contains("href=\"\(path)\""))
            let form = try await provider.get(path)
            try form.expect(.ok)
            #expect(form.text.contains("面积与登记簿不符 &lt;b&gt;"))
            let csrf = try await provider.csrf()
            let reasonless = try await provider.post(path, [("csrf", csrf), ("decision", "rejected"), ("reason", " "), ("confirm", "yes")])
            #expect(reasonless.status == .badRequest)
            #expect(reasonless.text.contains("reason"))
            #expect(try await fixture.store.objection(id: objection.id)?.state == .open)
            let done = try await provider.post(path, [("csrf", csrf), ("decision", "rejected"), ("reason", "登记簿已核对无误"), ("confirm", "yes")])
            #expect(done.status == .seeOther)
            #expect(try await provider.get(try #require(done.location)).text.contains("已驳回 \(objection.id)"))
            // Answered once: a second answer is refused by the workflow.
            let again = try await provider.post(path, [("csrf", csrf), ("decision", "confirmed"), ("confirm", "yes")])
            #expect(again.status == .conflict)
        }
        let stored = try #require(try await fixture.store.objection(id: objection.id))
        #expect(stored.state == .rejected && stored.answer?.reason == "登记簿已核对无误")
        #expect(try await fixture.store.auditEntries(matching: AuditQuery(action: "objection.answered")).count == 1)
    }

    @Test("only the consumer raises and only the provider answers; the admin neither; a POST without the CSRF token changes nothing",
          arguments: [StoreBackend.sqlite])
    func whoMayAct(backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        let objection = try await ConsoleObjectionTests.raised(fixture)
        let answer = "/console/objections/\(objection.id)/answer"
        try await fixture.withClient { client in
            var provider = Browser(client)
            try await provider.signIn(fixture.agencyTokens[ConsoleFixture.provider]!)
            #expect(try await provider.get("\(Self.raise)?agreement=\(ConsoleFixture.activeAgreement)").status == .forbidden)
            var consumer = Browser(client)
            try await consumer.signIn(fixture.agencyTokens[ConsoleFixture.consumer]!)
            #expect(try await consumer.get(answer).status == .forbidden)
            #expect(try await consumer.post(answer, [("csrf", try await consumer.csrf()), ("decision", "confirmed"), ("confirm", "yes")]).status == .forbidden)
            var outsider = Browser(client)
            try await outsider.signIn(fixture.agencyTokens[ConsoleFixture.outsider]!)
            #expect(try await outsider.get(answer).status == .forbidden)
            var admin = Browser(client)
            try await admin.signIn(fixture.adminToken)
            #expect(try await admin.get(answer).status == .forbidden)
            #expect(try await admin.get("\(Self.raise)?agreement=\(ConsoleFixture.activeAgreement)").status == .forbidden)
            let forged = try await provider.post(answer, [("decision", "confirmed"), ("confirm", "yes")])
            #expect(forged.status == .forbidden)
            let raisedWithoutToken = try await consumer.post(Self.raise, try Self.fields("0"))
            #expect(raisedWithoutToken.status == .forbidden)
        }
        #expect(try await fixture.store.objection(id: objection.id)?.state == .open)
        #expect(try await fixture.store.objections(matching: ObjectionQuery()).count == 1)
    }
}
