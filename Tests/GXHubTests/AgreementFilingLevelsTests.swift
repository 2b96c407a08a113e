import Foundation
import GXDomain
import GXHub
import GXStorage
import GXTestSupport
import HummingbirdTesting
import Testing

@Suite("Filing acknowledges the data levels above 一般 an agreement shares")
struct AgreementFilingLevelsTests {
    @Test("filing the population agreement without acknowledging 重要 is refused, naming the items; nothing changes", arguments: StoreBackend.allCases)
    func refusedWithoutAcknowledgement(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        try await fixture.hub.withClient { client in
            let terms = try await fixture.agreement("RK-001", through: .signedByProvider, client: client)
            let bare = try await client.call(.post, "/v1/agreements/\(terms.id)/filing", token: fixture.adminToken)
            #expect(bare.status == .badRequest)
            #expect(bare.error?.field == "acknowledged_levels")
            #expect(bare.error?.error.contains("公民身份号码 (重要), 姓名 (重要), 出生日期 (重要)") == true)
            let wrong = try await client.call(.post, "/v1/agreements/\(terms.id)/filing", token: fixture.adminToken,
                                              json: HubAPI.Filing(acknowledgedLevels: ["核心"]))
            #expect(wrong.status == .badRequest)
        }
        #expect(try await fixture.store.agreement(id: "BJ-GX-2026-004")?.state == .signedByProvider)
        #expect(try await fixture.store.auditEntries(matching: AuditQuery(action: "agreement.filed")).isEmpty)
    }

    @Test("an acknowledged filing keeps the levels in the filing and in its audit entry", arguments: StoreBackend.allCases)
    func acknowledgedIsRecorded(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        try await fixture.hub.withClient { client in
            let terms = try await fixture.agreement("RK-001", through: .signedByProvider, client: client)
            let filed = try await client.call(.post, "/v1/agreements/\(terms.id)/filing", token: fixture.adminToken,
                                              json: HubAPI.Filing(reason: "已审查个人信息保护措施", acknowledgedLevels: ["重要"]))
            try filed.expect(.ok)
            #expect(try filed.decode(HubAPI.AgreementView.self).agreement.filing?.acknowledgedLevels == ["重要"])
        }
        #expect(try await fixture.store.agreement(id: "BJ-GX-2026-004")?.filing?.acknowledgedLevels == ["重要"])
        let entry = try #require(try await fixture.store.auditEntries(matching: AuditQuery(action: "agreement.filed")).first)
        #expect(entry.details["acknowledged_levels"] == .array([.string("重要")]))
        #expect(entry.details["reason"] == .string("已审查个人信息保护措施"))
    }

    @Test("an agreement of 一般 items files without a body, and its filing records no levels", arguments: StoreBackend.allCases)
    func generalFilesAsBefore(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        try await fixture.hub.withClient { client in
            let terms = try await fixture.agreement("FC-001", through: .signedByProvider, client: client)
            try await client.call(.post, "/v1/agreements/\(terms.id)/filing", token: fixture.adminToken).expect(.ok)
        }
        let agreement = try #require(try await fixture.store.agreement(id: "BJ-GX-2026-001"))
        #expect(agreement.state == .active)
        #expect(agreement.filing?.acknowledgedLevels == nil)
        let entry = try #require(try await fixture.store.auditEntries(matching: AuditQuery(action: "agreement.filed")).first)
        #expect(entry.details["acknowledged_levels"] == nil)
    }
}
