import Foundation
import GXConsole
import GXDomain
import GXHub
import GXStorage
import Hummingbird
import HummingbirdTesting
import GXTestSupport
import Testing

@Suite("Console: the working-day calendar banner")
struct ConsoleCalendarTests {
    @Test("while the calendar misses a year the demand clocks count in, the authority's pages say so and an agency's do not", arguments: StoreBackend.allCases)
    func uncoveredYearBanner(backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        // The shipped calendar covers 2026 only: from December 2026 on, a year is always missing.
        let years = fixture.hub.uncoveredCalendarYears()
        try #require(!years.isEmpty, "the shipped calendar covers this year and the next")
        let admin = fixture.adminToken, agency = fixture.agencyTokens[ConsoleFixture.consumer]!
        try await fixture.withClient { client in
            var authority = Browser(client)
            try await authority.signIn(admin)
            for page in ["/console/overview", "/console/agreements"] {
                let text = try await authority.get(page).text
                #expect(text.contains("工作日历未覆盖 \(years.map(String.init).joined(separator: ", ")) 年"), "\(page)")
                #expect(text.contains("role=\"alert\""), "\(page)")
            }
            var consumer = Browser(client)
            try await consumer.signIn(agency)
            #expect(!(try await consumer.get("/console/agreements").text.contains("工作日历未覆盖")))
        }
    }
}
