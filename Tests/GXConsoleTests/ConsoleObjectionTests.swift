import Foundation
import GXConsole
import GXDomain
import GXHub
import GXStorage
import GXTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

/// The objections page: each agency sees its own, with the gx commands; the admin and auditors see all, overdue marked.
@Suite("Console objections page")
struct ConsoleObjectionTests {
    /// BJ-GX-2026-001 (housing → tax) is active in the fixture; the tax bureau objects to a record of it.
    static func raised(_ fixture: ConsoleFixture, at time: Date = Date()) async throws -> Objection {
        let terms = try #require(try SampleDocuments.agreementTerms().first { $0.id == ConsoleFixture.activeAgreement })
        let entry = try #require(try SampleDocuments.catalogue()[terms.resourceCode])
        let key = entry.keyItems.map { _ in "110101000000000001" }
        let item = try #require(terms.items.first { name in !entry.keyItems.contains { $0.name == name } })
        return try await ObjectionWorkflow(hub: fixture.hub).raise(
            ObjectionRequest(agreement: terms.id, key: key, items: [item], problem: "面积与登记簿不符 <b>", evidence: "不动产登记簿"),
            by: .agency(code: ConsoleFixture.consumer), at: time)
    }

    @Test("the consumer and the provider see the objection with their role and the gx commands; an outsider sees none; text is escaped",
          arguments: StoreBackend.allCases)
    func agencies(backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        let objection = try await Self.raised(fixture)
        let tokens = fixture.agencyTokens
        try await fixture.withClient { client in
            var consumer = Browser(client)
            try await consumer.signIn(tokens[ConsoleFixture.consumer]!)
            let mine = try await consumer.get("/console/objections")
            #expect(mine.status == .ok)
            #expect(mine.text.contains(objection.id) && mine.text.contains("本单位提出"))
            #expect(mine.text.contains("面积与登记簿不符 &lt;b&gt;") && !mine.text.contains("不符 <b>"))
            #expect(mine.text.contains("gx objection raise"))
            #expect(!mine.text.contains("gx objection answer \(objection.id)"), "only the provider answers")
            var provider = Browser(client)
            try await provider.signIn(tokens[ConsoleFixture.provider]!)
            let theirs = try await provider.get("/console/objections")
            #expect(theirs.text.contains("针对本单位资源") && theirs.text.contains("gx objection answer \(objection.id) confirmed"))
            var outsider = Browser(client)
            try await outsider.signIn(tokens[ConsoleFixture.outsider]!)
            #expect(!(try await outsider.get("/console/objections")).text.contains(objection.id))
        }
    }

    @Test("the auditor sees every objection, an overdue one marked, and can list only the overdue ones", arguments: StoreBackend.allCases)
    func auditorSeesOverdue(backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        let late = try await Self.raised(fixture, at: Date().addingTimeInterval(-30 * 86_400))
        let auditor = fixture.auditorToken
        try await fixture.withClient { client in
            var browser = Browser(client)
            try await browser.signIn(auditor)
            let all = try await browser.get("/console/objections")
            #expect(all.status == .ok)
            #expect(all.text.contains(late.id) && all.text.contains("<span class=\"badge bad\">逾期</span>"))
            let overdue = try await browser.get("/console/objections?overdue=true")
            #expect(overdue.text.contains(late.id))
            let bad = try await browser.get("/console/objections?state=nope")
            #expect(bad.status == .badRequest)
        }
    }
}
