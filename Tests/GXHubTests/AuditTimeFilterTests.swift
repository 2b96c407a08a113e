import Foundation
import GXDomain
import GXHub
import GXStorage
import GXTestSupport
import HummingbirdTesting
import Testing

@Suite("Audit from/until compare instants, whatever offset the auditor writes")
struct AuditTimeFilterTests {
    /// Entries written at 2026-12-03T23:59:59.999Z, 2026-12-04T00:00:00.000Z and 2026-12-04T06:02:00.000Z; returns
    /// the hub fixture and the subjects by time.
    func fixtureWithTimedEntries(_ backend: StoreBackend) async throws -> HubFixture {
        let fixture = try await HubFixture.make(backend)
        for (subject, time) in [("before", "2026-12-03T23:59:59.999Z"), ("midnight", "2026-12-04T00:00:00.000Z"), ("morning", "2026-12-04T06:02:00.000Z")] {
            try await fixture.store.commit([], audit: [AuditDraft(actor: "admin:authority", action: "test.timed", subject: subject)],
                                           at: Timestamp.date(from: time)!)
        }
        return fixture
    }

    func subjects(_ query: String, _ fixture: HubFixture, client: any TestClientProtocol) async throws -> [String] {
        let response = try await client.call(.get, "/v1/audit?action=test.timed&\(query)", token: fixture.adminToken)
        try response.expect(.ok)
        return try response.decode(HubAPI.AuditPage.self).entries.map(\.subject)
    }

    func expectSubjects(_ query: String, _ expected: [String], _ fixture: HubFixture, client: any TestClientProtocol) async throws {
        let found = try await subjects(query, fixture, client: client)
        #expect(found == expected, "\(query)")
    }

    @Test("a Beijing offset means the same instant as UTC: from and until are inclusive", arguments: StoreBackend.allCases)
    func offsetsCompareAsInstants(_ backend: StoreBackend) async throws {
        let fixture = try await fixtureWithTimedEntries(backend)
        try await fixture.hub.withClient { client in
            // 08:00+08:00 is 00:00Z: the midnight entry is included, the one a millisecond earlier is not.
            try await expectSubjects("from=2026-12-04T08:00:00%2B08:00", ["midnight", "morning"], fixture, client: client)
            try await expectSubjects("from=2026-12-04T08:00:00+08:00", ["midnight", "morning"], fixture, client: client)
            try await expectSubjects("from=2026-12-04T00:00:00Z", ["midnight", "morning"], fixture, client: client)
            try await expectSubjects("until=2026-12-04T07:59:59.999%2B08:00", ["before"], fixture, client: client)
            try await expectSubjects("until=2026-12-04T08:00:00.000%2B08:00", ["before", "midnight"], fixture, client: client)
            try await expectSubjects("from=2026-12-03T19:00:00-05:00&until=2026-12-04T14:02:00.001%2B08:00", ["midnight", "morning"], fixture, client: client)
            try await expectSubjects("from=2026-12-03T23:59:59.9995Z", ["midnight", "morning"], fixture, client: client)
        }
    }

    @Test("a bare date means that day's start in China Standard Time", arguments: StoreBackend.allCases)
    func bareDateIsBeijingMidnight(_ backend: StoreBackend) async throws {
        let fixture = try await fixtureWithTimedEntries(backend)
        try await fixture.hub.withClient { client in
            // 2026-12-04 00:00 CST is 2026-12-03T16:00Z: every entry is on the 4th in Beijing.
            try await expectSubjects("from=2026-12-04", ["before", "midnight", "morning"], fixture, client: client)
            try await expectSubjects("from=2026-12-04&until=2026-12-05", ["before", "midnight", "morning"], fixture, client: client)
            try await expectSubjects("until=2026-12-03", [], fixture, client: client)
        }
    }

    @Test("until includes the whole second or the whole day written, not only its first millisecond", arguments: StoreBackend.allCases)
    func untilCoversItsPrecision(_ backend: StoreBackend) async throws {
        let fixture = try await fixtureWithTimedEntries(backend)
        try await fixture.hub.withClient { client in
            // "before" is at 23:59:59.999Z: a whole-second until covers it, the same second's first millisecond does not.
            try await expectSubjects("until=2026-12-03T23:59:59Z", ["before"], fixture, client: client)
            try await expectSubjects("until=2026-12-03T23:59:59.000Z", [], fixture, client: client)
            try await expectSubjects("until=2026-12-03T23:59:59.9Z", ["before"], fixture, client: client)
            // Every entry is on the 4th in Beijing: from and until the same date is that whole day.
            try await expectSubjects("from=2026-12-04&until=2026-12-04", ["before", "midnight", "morning"], fixture, client: client)
            try await expectSubjects("until=2026-12-04T14:01:59%2B08:00", ["before", "midnight"], fixture, client: client)
            try await expectSubjects("until=2026-12-04T14:02:00%2B08:00", ["before", "midnight", "morning"], fixture, client: client)
        }
        #expect(Timestamp.lastInstant(through: "2026-11-30").map(Timestamp.string(from:)) == "2026-11-30T15:59:59.999Z")
        #expect(Timestamp.lastInstant(through: "2026-11-30T23:59:59Z").map(Timestamp.string(from:)) == "2026-11-30T23:59:59.999Z")
        #expect(Timestamp.lastInstant(through: "2026-11-30T23:59:59.25Z").map(Timestamp.string(from:)) == "2026-11-30T23:59:59.259Z")
        #expect(Timestamp.lastInstant(through: "2026-11-30T23:59:59.250Z").map(Timestamp.string(from:)) == "2026-11-30T23:59:59.250Z")
        #expect(Timestamp.lastInstant(through: "2026-11-31") == nil)
    }
}
