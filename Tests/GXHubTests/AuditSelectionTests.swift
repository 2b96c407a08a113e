import Foundation
import GRDB
import GXCrypto
import GXDomain
import GXHub
@testable import GXStorage
import GXTestSupport
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Audit queries: by resource, the time bounds, and filtered exports that say they are selections")
struct AuditSelectionTests {
    /// Two resources with filed agreements (人口 RK-001 and 房产 FC-001), a 人口 batch pushed and acknowledged, a
    /// refused 人口 push and a 人口 demand: entries of every kind that concerns a resource.
    func exchangedFixture(_ backend: StoreBackend) async throws -> HubFixture {
        let fixture = try await HubFixture.loaded(backend)
        let provider = fixture.party(PopulationBatch.provider), consumer = fixture.party(PopulationBatch.consumer)
        try await fixture.hub.withClient { client in
            _ = try await fixture.agreement("RK-001", through: .filed, client: client)
            _ = try await fixture.agreement("FC-001", through: .filed, client: client)
            let built = try PopulationBatch.build((1...5).map { PopulationBatch.record($0) }, sequence: 1, key: provider.key)
            try await client.push(built, token: provider.token).expect(.created)
            let delivery = try await client.call(.get, "/v1/agreements/\(PopulationBatch.agreement)/batches/1", token: consumer.token)
            try await client.acknowledge(1, recordsSM3: try delivery.deliveryManifest().content.records.sm3, upserts: 5, as: consumer).expect(.created)
            let replay = try PopulationBatch.build([PopulationBatch.record(9)], sequence: 1, key: provider.key)
            #expect(try await client.push(replay, token: provider.token).status != .created)
            _ = try await client.submitted(.legalEntities, as: fixture.party(DemandParties.taxBureau))
            _ = try await client.submitted(.population, as: fixture.party(DemandParties.socialSecurity))
        }
        return fixture
    }

    /// The entries of `resource`, read off the whole chain act by act, independently of the store's column.
    func expectedSeqs(of resource: String, agreement: String, in chain: [AuditEntry]) -> [Int64] {
        chain.filter { entry in
            (entry.action.hasPrefix("catalogue.") && entry.subject == resource)
                || (entry.action.hasPrefix("batch.") && (entry.subject == resource || entry.subject.hasPrefix(resource + "#")))
                || entry.agreement == agreement
                || entry.details["resource"] == .string(resource)
        }.map(\.seq)
    }

    func resourceSeqs(_ resource: String, _ fixture: HubFixture, limit: Int = 1000) async throws -> [Int64] {
        try await fixture.hub.withClient { client in
            var seqs: [Int64] = []
            var after: Int64 = 0
            while true {
                let page = try await client.call(.get, "/v1/audit?resource=\(resource)&limit=\(limit)&after=\(after)", token: fixture.adminToken)
                    .decode(HubAPI.AuditPage.self)
                seqs += page.entries.map(\.seq)
                guard let next = page.nextAfter else { return seqs }
                after = next
            }
        }
    }

    @Test("?resource= answers exactly the entries of that resource: catalogue acts, batches, receipts, demands and acts on its agreements",
          arguments: StoreBackend.allCases)
    func filterByResource(_ backend: StoreBackend) async throws {
        let fixture = try await exchangedFixture(backend)
        let chain = try await fixture.store.auditChain(afterSeq: 0, limit: 10_000)
        let population = expectedSeqs(of: "RK-001", agreement: PopulationBatch.agreement, in: chain)
        let actions = Set(chain.filter { population.contains($0.seq) }.map(\.action))
        #expect(actions.isSuperset(of: ["catalogue.published", "agreement.imported", "agreement.signed", "agreement.filed",
                                        "batch.accepted", "batch.received", "batch.refused"]), "\(actions)")
        #expect(chain.contains { population.contains($0.seq) && $0.action.hasPrefix("demand.") })
        #expect(try await resourceSeqs("RK-001", fixture) == population)
        #expect(try await resourceSeqs("RK-001", fixture, limit: 3) == population, "paged by sequence, three at a time")
        let housing = try #require(SampleDocuments.agreementTerms().first { $0.resourceCode == "FC-001" })
        #expect(try await resourceSeqs("FC-001", fixture) == expectedSeqs(of: "FC-001", agreement: housing.id, in: chain))
        #expect(Set(population).isDisjoint(with: try await resourceSeqs("FC-001", fixture)))
        #expect(try await resourceSeqs("NO-SUCH", fixture).isEmpty)
        // With another filter, the intersection.
        let accepted = try await fixture.store.auditEntries(matching: AuditQuery(resource: "RK-001", action: "batch.accepted", limit: 1000))
        #expect(accepted.map(\.subject) == ["RK-001#1"])
        let byAgency = try await fixture.store.auditEntries(matching: AuditQuery(agency: DemandParties.taxBureau, resource: "RK-001", limit: 1000))
        #expect(byAgency.isEmpty, "地税局 has nothing to do with 人口: \(byAgency.map(\.action))")
    }

    @Test("the v8 migration's backfill gives every existing entry the resource an append gives it", arguments: StoreBackend.allCases)
    func backfillMatchesAppend(_ backend: StoreBackend) async throws {
        let fixture = try await exchangedFixture(backend)
        let housing = try #require(SampleDocuments.agreementTerms().first { $0.resourceCode == "FC-001" })
        let before = [try await resourceSeqs("RK-001", fixture), try await resourceSeqs("FC-001", fixture), try await resourceSeqs("FR-001", fixture)]
        #expect(!before[0].isEmpty && !before[1].isEmpty && !before[2].isEmpty)
        if let postgres = fixture.store as? PostgresHubStore {
            try await TestPostgres.execute("UPDATE audit_entries SET resource = NULL", in: postgres.settings)
            #expect(try await resourceSeqs("RK-001", fixture).isEmpty)
            try await TestPostgres.execute(PostgresHubStore.auditResourceBackfill, in: postgres.settings)
        } else {
            let database = try DatabaseQueue(path: fixture.directory.appendingPathComponent("hub.sqlite").path)
            try await database.write { try $0.execute(sql: "UPDATE audit_entries SET resource = NULL") }
            #expect(try await resourceSeqs("RK-001", fixture).isEmpty)
            try await database.write { try $0.execute(sql: SQLiteHubStore.auditResourceBackfill) }
        }
        #expect([try await resourceSeqs("RK-001", fixture), try await resourceSeqs("FC-001", fixture), try await resourceSeqs("FR-001", fixture)] == before)
        let chain = try await fixture.store.auditChain(afterSeq: 0, limit: 10_000)
        #expect(before[1] == expectedSeqs(of: "FC-001", agreement: housing.id, in: chain))
    }

    /// Entries exactly at the bounds the auditor writes, and a millisecond either side of each.
    @Test("from and until are both inclusive, to the millisecond, as documented", arguments: StoreBackend.allCases)
    func boundsAsDocumented(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.make(backend)
        for time in ["2026-12-03T23:59:59.999Z", "2026-12-04T00:00:00.000Z", "2026-12-04T00:00:00.001Z",
                     "2026-12-04T05:59:59.999Z", "2026-12-04T06:00:00.000Z", "2026-12-04T06:00:00.001Z"] {
            try await fixture.store.commit([], audit: [AuditDraft(actor: "admin:authority", action: "test.bounds", subject: time)],
                                           at: try #require(Timestamp.date(from: time)))
        }
        let subjects = try await fixture.hub.withClient { client in
            try await client.call(.get, "/v1/audit?action=test.bounds&from=2026-12-04T08:00:00%2B08:00&until=2026-12-04T06:00:00.000Z", token: fixture.adminToken)
                .decode(HubAPI.AuditPage.self).entries.map(\.subject)
        }
        #expect(subjects == ["2026-12-04T00:00:00.000Z", "2026-12-04T00:00:00.001Z", "2026-12-04T05:59:59.999Z", "2026-12-04T06:00:00.000Z"])
        // The same bounds from the store directly: a search whose from equals its until finds the entry at that millisecond.
        let single = try await fixture.store.auditEntries(matching: AuditQuery(action: "test.bounds", from: Timestamp.date(from: "2026-12-04T06:00:00.000Z"),
                                                                               until: Timestamp.date(from: "2026-12-04T06:00:00.000Z")))
        #expect(single.map(\.subject) == ["2026-12-04T06:00:00.000Z"])
    }

    func exportLines(_ query: String, _ fixture: HubFixture) async throws -> (lines: [HubAPI.ExportLine], selectionHeader: String?) {
        try await fixture.hub.withClient { client in
            let response = try await client.call(.get, "/v1/audit/export\(query)", token: fixture.adminToken)
            try response.expect(.ok)
            let lines = try response.text.split(separator: "\n").map { try JSONDecoder().decode(HubAPI.ExportLine.self, from: Data($0.utf8)) }
            return (lines, response.headers[HTTPField.Name(AuditExport.selectionHeader)!])
        }
    }

    @Test("an export takes the list's filters: the same entries, a header naming the selection, and the checkpoints", arguments: StoreBackend.allCases)
    func filteredExport(_ backend: StoreBackend) async throws {
        let fixture = try await exchangedFixture(backend)
        let query = "?resource=RK-001&from=2026-01-01&until=2999-01-01"
        let listed = try await resourceSeqs("RK-001", fixture)
        let (lines, header) = try await exportLines(query, fixture)
        #expect(lines.first?.type == .header)
        #expect(lines.first?.hubPublicKey == fixture.hub.key.publicKey.pem)
        #expect(lines.first?.selection == ["resource": "RK-001", "from": "2025-12-31T16:00:00.000Z", "until": "2999-01-01T15:59:59.999Z"])
        #expect(header == "resource=RK-001&from=2025-12-31T16:00:00.000Z&until=2999-01-01T15:59:59.999Z")
        #expect(lines.compactMap(\.entry).map(\.seq) == listed)
        #expect(lines.last?.checkpoint?.seq == (try await fixture.store.auditHead().seq))

        let whole = try await exportLines("", fixture)
        #expect(whole.lines.first?.selection == nil && whole.selectionHeader == nil)
        #expect(whole.lines.compactMap(\.entry).count == Int(try await fixture.store.auditHead().seq))
    }

    @Test("an export refuses what the list refuses, naming the parameter", arguments: StoreBackend.allCases)
    func exportFiltersReadStrictly(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.make(backend)
        try await fixture.hub.withClient { client in
            let response = try await client.call(.get, "/v1/audit/export?from=yesterday", token: fixture.adminToken)
            #expect(response.status == .badRequest)
            #expect(try response.decode(HubAPI.ErrorBody.self).field == "from")
        }
    }
}
