import Foundation
import GXConsole
import GXDomain
import GXHub
import GXStorage
import Hummingbird
import HummingbirdTesting
import GXTestSupport
import Testing

/// The agreement page's pending amendment and the history of revisions with who signed each.
@Suite("Console: amendments and revisions on the agreement page")
struct ConsoleAmendmentTests {
    static let page = "/console/agreements/\(ConsoleFixture.activeAgreement)"

    /// Proposes removing 规划用途 from BJ-GX-2026-001 (or `item` from `id`) as the consumer, signed by `signers` in order.
    func amend(_ fixture: ConsoleFixture, signedBy signers: [String], id: String = ConsoleFixture.activeAgreement,
               consumer: String = ConsoleFixture.consumer, removing item: String = "规划用途") async throws {
        let tokens = fixture.agencyTokens, keys = fixture.agencyKeys
        try await fixture.withClient { client in
            let view = try await client.api(.get, "/v1/agreements/\(id)", token: tokens[consumer]!).decode(HubAPI.AgreementView.self)
            let items = view.agreement.terms.items.filter { $0 != item }
            try await client.api(.post, "/v1/agreements/\(id)/amendment", token: tokens[consumer]!,
                                 json: HubAPI.Amend(items: items, reason: "不再需要\(item)")).expect(.created)
            let amended = try await client.api(.get, "/v1/agreements/\(id)", token: tokens[consumer]!)
                .decode(HubAPI.AgreementView.self).agreement.amendment!.terms
            for party in signers {
                let signature = try keys[party]!.signature(for: amended.canonicalBytes)
                try await client.api(.post, "/v1/agreements/\(id)/amendment/signatures", token: tokens[party]!,
                                     json: HubAPI.Sign(signature: Data(signature).base64EncodedString())).expect(.ok)
            }
        }
    }

    @Test("a pending amendment shows what it changes, and the awaited party sees the command that signs it", arguments: StoreBackend.allCases)
    func pendingAmendment(backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        try await amend(fixture, signedBy: [ConsoleFixture.consumer])
        let providerToken = fixture.agencyTokens[ConsoleFixture.provider]!, admin = fixture.adminToken
        try await fixture.withClient { client in
            var provider = Browser(client)
            try await provider.signIn(providerToken)
            let page = try await provider.get(Self.page)
            try page.expect(.ok)
            #expect(page.text.contains("待生效变更") && page.text.contains("不再需要规划用途"))
            #expect(page.text.contains("删除数据项") && page.text.contains("规划用途"))
            #expect(page.text.contains("gx agreement sign \(ConsoleFixture.activeAgreement)"))
            let home = try await provider.get("/console/agency").text
            #expect(home.contains("待生效变更： 1 — 不再需要规划用途") && home.contains("gx agreement sign \(ConsoleFixture.activeAgreement)"),
                    "the provider's home lists the amendment awaiting its signature")
            var authority = Browser(client)
            try await authority.signIn(admin)
            let adminPage = try await authority.get(Self.page)
            #expect(!adminPage.text.contains("gx agreement sign"), "the authority does not sign")
            #expect(!adminPage.text.contains("gx agreement file"), "nothing to file before the provider signs")
        }
    }

    @Test("the command the authority is shown to file an amendment names the levels above 一般 it must acknowledge", arguments: StoreBackend.allCases)
    func fileCommandNamesLevels(backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        let id = "BJ-GX-2026-004"
        try await fixture.importAgreement(id, through: .active)
        let terms = try #require(try await fixture.store.agreement(id: id)?.terms)
        try await amend(fixture, signedBy: [terms.consumer, terms.provider], id: id, consumer: terms.consumer, removing: "人员状态代码")
        let admin = fixture.adminToken
        try await fixture.withClient { client in
            var authority = Browser(client)
            try await authority.signIn(admin)
            let page = try await authority.get("/console/agreements/\(id)").text
            #expect(page.contains("gx agreement file \(id)") && page.contains("--acknowledge-levels 重要"), "\(page)")
        }
    }

    @Test("once filed, the page lists both revisions with who signed and filed each, the first marked superseded", arguments: StoreBackend.allCases)
    func revisionHistory(backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        try await amend(fixture, signedBy: [ConsoleFixture.consumer, ConsoleFixture.provider])
        let admin = fixture.adminToken
        try await fixture.withClient { client in
            var authority = Browser(client)
            try await authority.signIn(admin)
            let pending = try await authority.get(Self.page).text
            #expect(pending.contains("gx agreement file \(ConsoleFixture.activeAgreement)"))
            #expect(!pending.contains("--acknowledge-levels"), "BJ-GX-2026-001 shares only 一般 items")
            try await client.api(.post, "/v1/agreements/\(ConsoleFixture.activeAgreement)/amendment/filing", token: admin).expect(.ok)
            let page = try await authority.get(Self.page).text
            #expect(!page.contains("待生效变更"))
            let table = try #require(page.range(of: "class=\"revisions\"").map { String(page[$0.upperBound...]) }?.components(separatedBy: "</table>").first)
            let rows = table.components(separatedBy: "<tr>").dropFirst(2).map { $0.components(separatedBy: "</tr>")[0] }
            #expect(rows.count == 2)
            #expect(rows[0].hasPrefix("<td>1</td>") && rows[0].contains("现行"))
            #expect(rows[1].hasPrefix("<td>0</td>") && rows[1].contains("规划用途") && !rows[1].contains("现行"))
            let agreement = try #require(try await fixture.store.agreement(id: ConsoleFixture.activeAgreement))
            #expect(rows[1].contains(try #require(agreement.revisions?.first?.supersededAt)))
            for row in rows {
                #expect(row.contains("admin:") && row.filter { $0 == "·" }.count >= 3, "each revision names its signers and filer: \(row)")
            }
            #expect(page.contains("变更备案"), "the audit history names the act")
        }
    }
}
