import Foundation
import GXConsole
import GXDomain
import GXHub
import GXStorage
import Hummingbird
import HummingbirdTesting
import GXTestSupport
import Testing

/// Demand pages: the authority's list with overdue demands marked and counted, an agency's own demands as
/// consumer and as provider, and the `gx demand` command for each act the visitor may take.
@Suite("Console: demand pages")
struct ConsoleDemandTests {
    static let socialSecurity = "11110000000021063W"
    static let police = "111100000000210552"

    /// Two demands of 人社局 for 公安局's RK-001: XQ-2026-901, forwarded and past its reply limit; XQ-2026-902,
    /// submitted with its review limit ahead.
    func load(_ fixture: ConsoleFixture) async throws {
        let request = DemandRequest(resourceCode: "RK-001", items: ["公民身份号码", "姓名"], purpose: "资格认证", basis: "《社会保险法》第七十四条",
                                    validFrom: CalendarDate("2026-01-01")!, validUntil: CalendarDate("2028-12-31")!)
        var late = SharingDemand(id: "XQ-2026-901", consumer: Self.socialSecurity, provider: Self.police, schemaVersion: "1.0", request: request,
                                 sharingType: .conditional, submittedAt: "2026-01-05T01:00:00.000Z", deadline: "2026-01-20T16:00:00.000Z")
        late.state = .forwarded
        let fresh = SharingDemand(id: "XQ-2026-902", consumer: Self.socialSecurity, provider: Self.police, schemaVersion: "1.0", request: request,
                                  sharingType: .conditional, submittedAt: Timestamp.string(from: Date()),
                                  deadline: Timestamp.string(from: Date(timeIntervalSinceNow: 5 * 86_400)))
        try await fixture.store.commit([.saveDemand(late, expectedRevision: nil), .saveDemand(fresh, expectedRevision: nil)], audit: [], at: Date())
    }

    @Test("the authority sees every demand with the overdue one marked, the overdue count on the overview, and the review commands",
          arguments: StoreBackend.allCases)
    func authority(backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        try await load(fixture)
        let admin = fixture.adminToken
        try await fixture.withClient { client in
            var browser = Browser(client)
            try await browser.signIn(admin)
            let list = try await browser.get("/console/demands")
            try list.expect(.ok)
            let rows = list.text.components(separatedBy: "<tr").dropFirst(2)
            #expect(rows.count == 2)
            #expect(rows.first { $0.contains("XQ-2026-901") }?.hasPrefix(" class=\"overdue\"") == true)
            #expect(rows.first { $0.contains("XQ-2026-902") }?.contains("overdue") == false)
            #expect(list.text.contains("已超期： 1"))
            let overdueOnly = try await browser.get("/console/demands?overdue=1").text
            #expect(overdueOnly.contains("XQ-2026-901") && !overdueOnly.contains("XQ-2026-902"))
            let overview = try await browser.get("/console/overview").text
            #expect(overview.contains("card overdue") && overview.contains("<span class=\"number\">1</span><span>超期需求"))
            let page = try await browser.get("/console/demands/XQ-2026-902").text
            #expect(page.contains("gx demand review XQ-2026-902 take") && page.contains("gx demand review XQ-2026-902 forward"))
            #expect(!page.contains("gx demand reply"))
        }
    }

    @Test("an agency sees its demands as consumer and as provider, the commands of its own acts only, and not others' demands",
          arguments: StoreBackend.allCases)
    func agency(backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        try await load(fixture)
        let consumerToken = fixture.agencyTokens[Self.socialSecurity]!, providerToken = fixture.agencyTokens[Self.police]!
        let outsiderToken = fixture.agencyTokens[ConsoleFixture.consumer]!
        try await fixture.withClient { client in
            var consumer = Browser(client)
            try await consumer.signIn(consumerToken)
            let mine = try await consumer.get("/console/demands").text
            let asConsumer = try #require(mine.components(separatedBy: "<h2>").dropFirst().first)
            #expect(asConsumer.contains("XQ-2026-901") && asConsumer.contains("XQ-2026-902"))
            let consumerPage = try await consumer.get("/console/demands/XQ-2026-901").text
            #expect(consumerPage.contains("gx demand withdraw XQ-2026-901") && !consumerPage.contains("gx demand reply"))

            var provider = Browser(client)
            try await provider.signIn(providerToken)
            let theirs = try await provider.get("/console/demands").text
            let sections = theirs.components(separatedBy: "<h2>")
            #expect(sections.count == 3 && !sections[1].contains("XQ-2026-901") && sections[2].contains("XQ-2026-901"))
            let providerPage = try await provider.get("/console/demands/XQ-2026-901").text
            #expect(providerPage.contains("gx demand reply XQ-2026-901 accept") && providerPage.contains("accept-fewer --refuse-item"))
            #expect(!providerPage.contains("gx demand withdraw"))
            #expect(!(try await provider.get("/console/demands/XQ-2026-902").text.contains("gx demand reply")), "not yet forwarded")

            var outsider = Browser(client)
            try await outsider.signIn(outsiderToken)
            #expect(!(try await outsider.get("/console/demands").text.contains("XQ-2026-90")))
            #expect(try await outsider.get("/console/demands/XQ-2026-901").status == .forbidden)
        }
    }
}
