import Foundation
import GXDomain
import GXHub
import GXStorage
import GXTestSupport
import HummingbirdTesting
import Testing

@Suite("Demand time limits as hub settings")
struct DemandTimeLimitTests {
    @Test("a hub set to review in 3 and reply in 5 working days gives demands those deadlines", arguments: StoreBackend.allCases)
    func configuredLimits(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        var configured = fixture.hub
        configured.demandTimeLimits = try DemandTimeLimits(reviewWorkingDays: 3, replyWorkingDays: 5)
        let hub = configured
        try await hub.withClient { client in
            let submittedAt = Date()
            let demand = try await client.submitted(.population, as: fixture.party(DemandParties.socialSecurity))
            #expect(demand.deadline == Timestamp.string(from: hub.calendar.deadline(from: submittedAt, workingDays: 3)))
            #expect(demand.deadline != Timestamp.string(from: hub.calendar.deadline(from: submittedAt, workingDays: 2)))
            let forwardedAt = Date()
            let forwarded = try await client.review(demand.id, .forward, token: fixture.adminToken).decode(HubAPI.DemandView.self).demand
            #expect(forwarded.deadline == Timestamp.string(from: hub.calendar.deadline(from: forwardedAt, workingDays: 5)))
        }
    }

    @Test("limits outside 1 to 60 working days are refused, naming the setting")
    func limitsBounded() {
        #expect(throws: InvalidInput.self) { try DemandTimeLimits(reviewWorkingDays: 0, replyWorkingDays: 10) }
        do {
            _ = try DemandTimeLimits(reviewWorkingDays: 2, replyWorkingDays: 61)
            Issue.record("61 working days was accepted")
        } catch {
            #expect(error.field == "demands.reply_working_days")
        }
        #expect(DemandTimeLimits.standard.reviewWorkingDays == 2 && DemandTimeLimits.standard.replyWorkingDays == 10)
    }
}
