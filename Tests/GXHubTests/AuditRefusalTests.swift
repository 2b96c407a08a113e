import Foundation
import GXCrypto
import GXDomain
import GXHub
import GXStorage
import GXTestSupport
import HummingbirdTesting
import Testing

@Suite("Audited refusals: filed under the caller, bounded in size and number")
struct AuditRefusalTests {
    func activePopulationAgreement(_ backend: StoreBackend) async throws -> HubFixture {
        let fixture = try await HubFixture.loaded(backend)
        try await fixture.hub.withClient { client in
            _ = try await fixture.agreement("RK-001", through: .filed, client: client)
        }
        return fixture
    }

    func refused(_ action: String, in fixture: HubFixture, agency: String? = nil) async throws -> [AuditEntry] {
        try await fixture.store.auditEntries(matching: AuditQuery(agency: agency, action: action, limit: 1000))
    }

    @Test("a push to another provider's resource is filed under the caller, with the resource it pushed to as subject",
          arguments: StoreBackend.allCases)
    func pushUnderAnotherProvider(_ backend: StoreBackend) async throws {
        let fixture = try await activePopulationAgreement(backend)
        let consumer = fixture.party(PopulationBatch.consumer)
        // The manifest claims to come from the provider; the consumer signs it with its own key.
        let built = try PopulationBatch.build([PopulationBatch.record(1)], sequence: 42, key: consumer.key, provider: PopulationBatch.provider)
        let status = try await fixture.hub.withClient { client in try await client.push(built, token: consumer.token).status }
        #expect(status == .forbidden)
        let entry = try #require(try await refused("batch.refused", in: fixture).first)
        #expect(entry.actor == "agency:\(consumer.code)")
        #expect(entry.agencies == [consumer.code])
        #expect(entry.subject == "RK-001")
        #expect(entry.details["sequence"] == nil)
        #expect(entry.details["claimed_sequence"] == .integer(42))
        #expect(try await refused("batch.refused", in: fixture, agency: PopulationBatch.provider).isEmpty)
    }

    @Test("a refusal echoing a 60 KB manifest field keeps at most 200 characters of it, with a note of the cut",
          arguments: StoreBackend.allCases)
    func longReasonIsCut(_ backend: StoreBackend) async throws {
        let fixture = try await activePopulationAgreement(backend)
        let provider = fixture.party(PopulationBatch.provider)
        let built = try PopulationBatch.build([PopulationBatch.record(1)], sequence: 1, key: provider.key) {
            $0.resourceCode = String(repeating: "伪", count: 60_000)
        }
        let status = try await fixture.hub.withClient { client in try await client.push(built, token: provider.token).status }
        #expect(status == .badRequest)
        let entry = try #require(try await refused("batch.refused", in: fixture).first)
        guard case let .string(reason)? = entry.details["reason"] else { Issue.record("no reason in \(entry)"); return }
        #expect(reason.count < 260, "\(reason.count) characters")
        #expect(reason.contains("[cut: "))
        #expect(entry.canonicalBody.count < 1_500)
    }

    @Test("past 20 refusals a minute a caller's refusals are counted, not written, and one entry summarises them",
          arguments: StoreBackend.allCases)
    func refusalsAreRateLimited(_ backend: StoreBackend) async throws {
        let fixture = try await activePopulationAgreement(backend)
        let consumer = fixture.party(PopulationBatch.consumer)
        let built = try PopulationBatch.build([PopulationBatch.record(1)], sequence: 1, key: consumer.key, provider: consumer.code)
        let metrics = try await fixture.hub.withClient { client in
            for _ in 1...25 { #expect(try await client.push(built, token: consumer.token).status == .forbidden) }
            return try await client.call(.get, "/metrics", token: fixture.adminToken).text
        }
        #expect(try await refused("batch.refused", in: fixture).count == 20)
        #expect(OperationsTests.value(#"gongxiang_audit_refusals_unrecorded_total{action="batch.refused"}"#, in: metrics) == 5)
        #expect(try await refused("audit.refusals_summarised", in: fixture).isEmpty)

        try await fixture.hub.auditRefusalSummaries(at: Date().addingTimeInterval(61))
        let summaries = try await refused("audit.refusals_summarised", in: fixture, agency: consumer.code)
        #expect(summaries.count == 1)
        #expect(summaries.first?.details["unrecorded"] == .integer(5))
        #expect(summaries.first?.details["recorded"] == .integer(20))
        try await fixture.hub.auditRefusalSummaries(at: Date().addingTimeInterval(200))
        #expect(try await refused("audit.refusals_summarised", in: fixture).count == 1)
    }

    @Test("a pull under someone else's agreement is filed under the caller, and limited like every refusal",
          arguments: StoreBackend.allCases)
    func deliveryRefusals(_ backend: StoreBackend) async throws {
        let fixture = try await activePopulationAgreement(backend)
        let outsider = fixture.party("11110000000021020F")
        try await fixture.hub.withClient { client in
            for _ in 1...22 {
                let response = try await client.call(.get, "/v1/agreements/\(PopulationBatch.agreement)/batches", token: outsider.token)
                #expect(response.status == .forbidden)
            }
        }
        let entries = try await refused("delivery.refused", in: fixture)
        #expect(entries.count == 20)
        #expect(entries.allSatisfy { $0.agencies == [outsider.code] && $0.agreement == PopulationBatch.agreement })
        #expect(try await refused("delivery.refused", in: fixture, agency: PopulationBatch.provider).isEmpty)
        #expect(try await refused("delivery.refused", in: fixture, agency: PopulationBatch.consumer).isEmpty)
    }

    @Test("the allowance is per caller: one agency's refusals do not silence another's")
    func allowanceIsPerCaller() async throws {
        let fixture = try await activePopulationAgreement(.sqlite)
        let outsider = fixture.party("11110000000021020F"), provider = fixture.party(PopulationBatch.provider)
        try await fixture.hub.withClient { client in
            for _ in 1...21 {
                _ = try await client.call(.get, "/v1/agreements/\(PopulationBatch.agreement)/batches", token: outsider.token)
            }
            #expect(try await client.call(.get, "/v1/agreements/\(PopulationBatch.agreement)/batches", token: provider.token).status == .forbidden)
        }
        #expect(try await refused("delivery.refused", in: fixture, agency: provider.code).count == 1)
    }
}
