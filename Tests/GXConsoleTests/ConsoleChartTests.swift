import Foundation
import GXDomain
import GXTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

/// Delivery lag and quarantine by rule drawn as server-side SVG bars, each bar titled with its exact figure,
/// the figures also kept as text; computed from batches and receipts the tests plant.
@Suite("Console: lag and quarantine charts")
struct ConsoleChartTests {
    static func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    /// Three nights: a receipt 5 minutes after the first; two batches the second night, received after 90 s and
    /// 30 minutes; no receipt yet the third, whose pass holds back 姓名 (3 + 1) and 性别代码 (2).
    static func plantThreeNights(_ fixture: ConsoleFixture) async throws {
        let B = ConsoleFixture.beijing
        try await fixture.plantBatch(1, at: B(2026, 11, 2, 22, 0), upserts: 10, quarantine: [QualityFinding(item: "姓名", rule: "required", count: 4)],
                                     receivedAfter: 300)
        try await fixture.plantBatch(2, at: B(2026, 11, 3, 22, 0), upserts: 5, endsPass: false, receivedAfter: 90)
        try await fixture.plantBatch(3, at: B(2026, 11, 3, 22, 10), upserts: 5, receivedAfter: 1800)
        try await fixture.plantBatch(4, at: B(2026, 11, 4, 22, 0), upserts: 7, quarantine: [
            QualityFinding(item: "姓名", rule: "required", count: 3), QualityFinding(item: "性别代码", rule: "code_table", count: 2),
            QualityFinding(item: "姓名", rule: "required", count: 1),
        ])
    }

    @Test("the exchange page draws each night's slowest delivery lag and the latest pass's quarantine by rule, each bar titled with its figure",
          arguments: [StoreBackend.sqlite])
    func exchangeCharts(_ backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        try await Self.plantThreeNights(fixture)
        try await fixture.withClient { client in
            var auditor = Browser(client)
            try await auditor.signIn(fixture.auditorToken)
            let page = try await auditor.get("/console/agreements/\(ConsoleFixture.activeAgreement)/exchange")
            try page.expect(.ok)
            let text = page.text
            // Two nights have receipts; the third has none and draws no lag bar.
            #expect(Self.count("class=\"bar lag\"", in: text) == 2)
            #expect(text.contains("<title>2026-11-02 5 分 0 秒</title>"))
            #expect(text.contains("<title>2026-11-03 30 分 0 秒</title>"))
            // The latest pass's findings summed per item and rule, largest first.
            #expect(Self.count("class=\"bar rule\"", in: text) == 2)
            #expect(text.contains("<title>姓名: required 4</title>"))
            #expect(text.contains("<title>性别代码: code_table 2</title>"))
            let first = try #require(text.range(of: "<title>姓名: required 4</title>"))
            let second = try #require(text.range(of: "<title>性别代码: code_table 2</title>"))
            #expect(first.lowerBound < second.lowerBound)
            // The figures stay readable as text: the lag per batch in the table, the rules behind <details>.
            #expect(text.contains("<td>1 分 30 秒</td>"))
            #expect(text.contains("<details><summary>图表数据（表格）</summary>"))
        }
    }

    @Test("with no receipt there is no lag chart but a sentence saying so; one receipt draws one bar", arguments: [StoreBackend.sqlite])
    func emptyAndOnePoint(_ backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        let path = "/console/agreements/\(ConsoleFixture.activeAgreement)/exchange"
        try await fixture.withClient { client in
            var admin = Browser(client)
            try await admin.signIn(fixture.adminToken)
            let empty = try await admin.get(path)
            try empty.expect(.ok)
            #expect(Self.count("class=\"bar", in: empty.text) == 0)
            #expect(empty.text.contains("尚无使用方回执。"))
            #expect(empty.text.contains("最近一轮没有隔离记录。"))
            try await fixture.plantBatch(1, at: ConsoleFixture.beijing(2026, 11, 2, 22), upserts: 3, receivedAfter: 45)
            let one = try await admin.get(path).text
            #expect(Self.count("class=\"bar lag\"", in: one) == 1)
            #expect(one.contains("<title>2026-11-02 45 秒</title>"))
            // The axis climbs in four equal whole steps to a round top above the bar: no tick reads twice.
            let ticks = one.matches(of: /font-size="11" fill="#444">(\d+ 秒)<\/text>/).map { String($0.1) }
            #expect(ticks == ["0 秒", "15 秒", "30 秒", "45 秒", "60 秒"])
        }
    }

    @Test("a rule named with markup is drawn as text, never as markup", arguments: [StoreBackend.sqlite])
    func ruleEscaped(_ backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        try await fixture.plantBatch(1, at: ConsoleFixture.beijing(2026, 11, 2, 22), upserts: 3,
                                     quarantine: [QualityFinding(item: "<script>alert(1)</script>", rule: "\"x\"&", count: 2)])
        try await fixture.withClient { client in
            var provider = Browser(client)
            try await provider.signIn(fixture.agencyTokens[ConsoleFixture.provider]!)
            for path in ["/console/agreements/\(ConsoleFixture.activeAgreement)/exchange", "/console/agency"] {
                let text = try await provider.get(path).text
                #expect(!text.contains("<script>alert(1)"), "\(path)")
                #expect(text.contains("&lt;script&gt;alert(1)&lt;/script&gt;: &quot;x&quot;&amp; 2</title>"), "\(path)")
            }
        }
    }

    @Test("the overview charts last night's delivery lag per active agreement", arguments: [StoreBackend.sqlite])
    func overviewLag(_ backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        try await fixture.plantBatch(1, at: ConsoleFixture.beijing(2026, 11, 2, 22), upserts: 3, receivedAfter: 720)
        try await fixture.withClient { client in
            var admin = Browser(client)
            try await admin.signIn(fixture.adminToken)
            let text = try await admin.get("/console/overview").text
            #expect(Self.count("class=\"bar lag\"", in: text) == 1)
            #expect(text.contains("<title>\(ConsoleFixture.activeAgreement) 12 分 0 秒</title>"))
            #expect(text.contains("<td>12 分 0 秒</td>"))
        }
    }

    @Test("the provider's own page charts its latest pass's quarantine by rule", arguments: [StoreBackend.sqlite])
    func agencyQuarantine(_ backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        try await Self.plantThreeNights(fixture)
        try await fixture.withClient { client in
            var provider = Browser(client)
            try await provider.signIn(fixture.agencyTokens[ConsoleFixture.provider]!)
            let text = try await provider.get("/console/agency").text
            #expect(Self.count("class=\"bar rule\"", in: text) == 2)
            #expect(text.contains("<title>姓名: required 4</title>") && text.contains("<title>性别代码: code_table 2</title>"))
            var consumer = Browser(client)
            try await consumer.signIn(fixture.agencyTokens[ConsoleFixture.consumer]!)
            #expect(Self.count("class=\"bar rule\"", in: try await consumer.get("/console/agency").text) == 0)
        }
    }

    @Test("statistics chart the year's quarantine by rule over every batch, and objections per month", arguments: [StoreBackend.sqlite])
    func statisticsCharts(_ backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        try await Self.plantThreeNights(fixture)
        try await fixture.withClient { client in
            var auditor = Browser(client)
            try await auditor.signIn(fixture.auditorToken)
            let text = try await auditor.get("/console/statistics?year=2026").text
            // Statistics add up what each batch reported: 4 + 3 + 1 for 姓名.
            #expect(Self.count("class=\"bar rule\"", in: text) == 2)
            #expect(text.contains("<title>姓名: required 8</title>"))
            #expect(text.contains("<title>性别代码: code_table 2</title>"))
            #expect(text.contains("每月数据异议"))
            #expect(Self.count("class=\"bar raised\"", in: text) == Self.count("class=\"bar resolved\"", in: text))
            #expect(Self.count("class=\"bar raised\"", in: text) >= 1)
        }
    }
}
