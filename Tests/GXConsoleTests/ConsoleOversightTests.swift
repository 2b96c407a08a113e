import Foundation
import GXDomain
import GXTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Console: cadence calendar and statistics pages")
struct ConsoleOversightTests {
    @Test("the auditor sees a calendar per pair and the statistics charts, drawn as SVG; an agency sees only its own pairs", arguments: [StoreBackend.sqlite])
    func pages(_ backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        try await fixture.withClient { client in
            var auditor = Browser(client)
            try await auditor.signIn(fixture.auditorToken)
            let compliance = try await auditor.get("/console/compliance")
            #expect(compliance.status == .ok)
            #expect(compliance.text.contains(ConsoleFixture.activeAgreement))
            #expect(compliance.text.contains("<svg") && compliance.text.contains("class=\"calendar\""))
            let bad = try await auditor.get("/console/compliance?from=2026-02-30")
            #expect(bad.status == .badRequest)
            let statistics = try await auditor.get("/console/statistics?year=2026")
            #expect(statistics.status == .ok)
            #expect(statistics.text.contains("<svg") && statistics.text.contains("2026-12"))
            var outsider = Browser(client)
            try await outsider.signIn(fixture.agencyTokens[ConsoleFixture.outsider]!)
            let own = try await outsider.get("/console/compliance")
            #expect(own.status == .ok)
            #expect(!own.text.contains(ConsoleFixture.activeAgreement))
        }
    }
}
