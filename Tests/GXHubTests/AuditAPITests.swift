import Foundation
import GXCrypto
import GXDomain
import GXHub
import GXStorage
import GXTestSupport
import HummingbirdTesting
import Testing

@Suite("Audit log through the hub")
struct AuditAPITests {
    @Test("every administrative act lands in the chain, which verifies from the store", arguments: StoreBackend.allCases)
    func actsAreChained(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        try await fixture.hub.withClient { client in
            _ = try await fixture.agreement("FR-001", through: .filed, client: client)
        }
        let entries = try await fixture.store.auditChain(afterSeq: 0, limit: 1000)
        let actions = Set(entries.map(\.action))
        #expect(actions.isSuperset(of: ["hub.initialized", "agency.registered", "catalogue.published", "agreement.imported",
                                        "agreement.signed", "agreement.filed", "agreement.activated"]))
        try await fixture.hub.signCheckpoint()
        var verifier = AuditChainVerifier(checkpoints: try await fixture.store.auditCheckpoints(), hubKey: fixture.hub.key.publicKey)
        for entry in entries { verifier.check(entry) }
        let report = verifier.finish()
        #expect(report.isIntact)
        #expect(report.coveredBySeq == entries.last?.seq)
    }

    @Test("auditors filter by agency, action and agreement, and page by sequence", arguments: StoreBackend.allCases)
    func filtersAndPages(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        let auditor = try await fixture.hub.withClient { client in
            _ = try await fixture.agreement("FC-001", through: .filed, client: client)
            _ = try await fixture.agreement("RK-001", through: .draft, client: client)
            return try await client.call(.post, "/v1/auditors", token: fixture.adminToken, json: HubAPI.AddAuditor(name: "auditor-1")).decode(HubAPI.IssuedCredential.self).token
        }
        try await fixture.hub.withClient { client in
            let byAgreement = try await client.call(.get, "/v1/audit?agreement=BJ-GX-2026-001", token: auditor).decode(HubAPI.AuditPage.self)
            #expect(byAgreement.entries.count == 5)
            #expect(byAgreement.entries.allSatisfy { $0.agreement == "BJ-GX-2026-001" })

            let police = "111100000000210552"
            let byAgency = try await client.call(.get, "/v1/audit?agency=\(police)", token: auditor).decode(HubAPI.AuditPage.self)
            #expect(byAgency.entries.map(\.action) == ["agency.registered", "catalogue.published", "agreement.imported"])

            let signed = try await client.call(.get, "/v1/audit?action=agreement.signed", token: auditor).decode(HubAPI.AuditPage.self)
            #expect(signed.entries.count == 2)

            var seen: [Int64] = []
            var after: Int64 = 0
            while true {
                let page = try await client.call(.get, "/v1/audit?limit=4&after=\(after)", token: auditor).decode(HubAPI.AuditPage.self)
                seen += page.entries.map(\.seq)
                guard let next = page.nextAfter else { break }
                after = next
            }
            let head = try await fixture.store.auditHead()
            #expect(seen == Array(1...head.seq))

            let future = try await client.call(.get, "/v1/audit?from=2999-01-01", token: auditor).decode(HubAPI.AuditPage.self)
            #expect(future.entries.isEmpty)
        }
    }

    @Test("the export is a header, every entry and the checkpoints, and covers the head", arguments: StoreBackend.allCases)
    func exportShape(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        let text = try await fixture.hub.withClient { client in
            try await client.call(.get, "/v1/audit/export", token: fixture.adminToken).text
        }
        let lines = text.split(separator: "\n").map { try! JSONDecoder().decode(HubAPI.ExportLine.self, from: Data($0.utf8)) }
        #expect(lines.first?.type == .header)
        #expect(lines.first?.hubPublicKey == fixture.hub.key.publicKey.pem)
        let entries = lines.compactMap(\.entry)
        let head = try await fixture.store.auditHead()
        #expect(entries.count == Int(head.seq))
        #expect(lines.last?.checkpoint?.seq == head.seq)
    }
}
