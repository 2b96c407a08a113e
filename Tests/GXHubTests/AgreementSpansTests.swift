@testable import GXStorage
import Foundation
import GRDB
import GXDomain
import GXHub
import GXPostgres
import GXTestSupport
import PostgresNIO
import Testing

@Suite("Agreement spans: kept with the acts that start and stop an agreement, equal to the audit chain's replay")
struct AgreementSpansTests {
    typealias P = ExchangePlanting

    /// The spans replayed from the audit chain, as compliance read them before the spans were kept: in chain
    /// order, an activation or resumption opens a span unless one is open; a suspension, revocation, expiry or
    /// replacement closes the open one.
    static func replay(_ store: any HubStore) async throws -> [String: [ActiveSpan]] {
        let starts: Set<String> = ["agreement.activated", "agreement.resumed"]
        let stops: Set<String> = ["agreement.suspended", "agreement.revoked", "agreement.expired", "agreement.superseded"]
        var spans: [String: [ActiveSpan]] = [:]
        for entry in try await store.auditEntries(matching: AuditQuery(limit: AuditQuery.maximumLimit)).sorted(by: { $0.seq < $1.seq }) {
            guard let agreement = entry.agreement, let time = Timestamp.instant(from: entry.time) else { continue }
            var list = spans[agreement] ?? []
            if starts.contains(entry.action) {
                if list.last.map({ $0.until == nil }) != true { list.append(ActiveSpan(from: time, until: nil)) }
            } else if stops.contains(entry.action), let last = list.last, last.until == nil {
                list[list.count - 1].until = time
            } else {
                continue
            }
            spans[agreement] = list
        }
        return spans.filter { !$0.value.isEmpty }
    }

    /// Plants acts straight through the store's commit, including acts out of turn the workflow would refuse
    /// (a second activation while active, a suspension while suspended, an expiry of one never active), and
    /// two acts in one transaction. Returns the agreements' ids.
    static func plant(_ store: any HubStore) async throws -> [String] {
        let ids = ["SPAN-A", "SPAN-B", "SPAN-C"]
        func act(_ id: String, _ actions: [String], _ month: Int, _ day: Int, _ hour: Int) async throws {
            try await store.commit([], audit: actions.map { AuditDraft(actor: "admin:authority", action: $0, subject: id, agreement: id, agencies: []) },
                                   at: P.beijing(2026, month, day, hour))
        }
        try await act("SPAN-A", ["agreement.filed", "agreement.activated"], 10, 1, 9)
        try await act("SPAN-A", ["agreement.suspended"], 10, 5, 10)
        try await act("SPAN-A", ["agreement.resumed"], 10, 8, 11)
        try await act("SPAN-A", ["agreement.suspended"], 10, 20, 12)
        try await act("SPAN-A", ["agreement.resumed"], 11, 2, 13)
        try await act("SPAN-A", ["agreement.revoked"], 11, 30, 14)
        try await act("SPAN-B", ["agreement.activated"], 10, 3, 9)
        try await act("SPAN-B", ["agreement.resumed"], 10, 4, 9)
        try await act("SPAN-B", ["agreement.suspended"], 10, 6, 9)
        try await act("SPAN-B", ["agreement.suspended", "agreement.superseded"], 10, 7, 9)
        try await act("SPAN-B", ["agreement.activated", "agreement.suspended"], 10, 9, 9)
        try await act("SPAN-B", ["agreement.resumed"], 10, 12, 9)
        try await act("SPAN-C", ["agreement.expired"], 10, 2, 9)
        try await act("SPAN-C", ["agreement.activated"], 12, 1, 9)
        return ids
    }

    @Test("planted suspend, resume, revoke and out-of-turn sequences give the spans the audit replay gives", arguments: StoreBackend.allCases)
    func spansEqualReplay(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.make(backend)
        _ = try await Self.plant(fixture.store)
        let kept = try await fixture.store.agreementSpans()
        #expect(kept == (try await Self.replay(fixture.store)))
        let a = try #require(kept["SPAN-A"])
        #expect(a == [ActiveSpan(from: P.beijing(2026, 10, 1, 9), until: P.beijing(2026, 10, 5, 10)),
                      ActiveSpan(from: P.beijing(2026, 10, 8, 11), until: P.beijing(2026, 10, 20, 12)),
                      ActiveSpan(from: P.beijing(2026, 11, 2, 13), until: P.beijing(2026, 11, 30, 14))])
        #expect(kept["SPAN-B"] == [ActiveSpan(from: P.beijing(2026, 10, 3, 9), until: P.beijing(2026, 10, 6, 9)),
                                   ActiveSpan(from: P.beijing(2026, 10, 9, 9), until: P.beijing(2026, 10, 9, 9)),
                                   ActiveSpan(from: P.beijing(2026, 10, 12, 9), until: nil)])
        #expect(kept["SPAN-C"] == [ActiveSpan(from: P.beijing(2026, 12, 1, 9), until: nil)])
    }

    @Test("the authority's suspension, resumption and revocation through the API keep the spans the audit replay gives", arguments: StoreBackend.allCases)
    func spansThroughTheRoutes(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        let terms = try await fixture.hub.withClient { client in
            let terms = try await fixture.agreement("FC-001", through: .filed, client: client)
            for (path, reason) in [("suspension", "安全检查"), ("resumption", "检查完毕"), ("suspension", "再次检查"), ("resumption", "完毕"), ("revocation", "职能调整")] {
                try await client.call(.post, "/v1/agreements/\(terms.id)/\(path)", token: fixture.adminToken, json: HubAPI.Reason(reason: reason)).expect(.ok)
            }
            return terms
        }
        let kept = try await fixture.store.agreementSpans()
        #expect(kept == (try await Self.replay(fixture.store)))
        let spans = try #require(kept[terms.id])
        #expect(spans.count == 3 && spans.allSatisfy { $0.until != nil })
        let revoked = try #require(try await fixture.store.auditEntries(matching: AuditQuery(agreement: terms.id, action: "agreement.revoked")).first)
        #expect(spans.last?.until == Timestamp.instant(from: revoked.time))
    }

    @Test("migration v13-agreement-spans fills an existing hub's spans from its audit chain", arguments: StoreBackend.allCases)
    func migrationFillsSpans(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.make(backend)
        _ = try await Self.plant(fixture.store)
        let replayed = try await Self.replay(fixture.store)
        // The hub as an older gx left it: no spans table, the migration not applied; then the store migrates.
        if let sqlite = fixture.store as? SQLiteHubStore {
            try await sqlite.pool.write { db in
                try db.execute(sql: "DROP TABLE agreement_spans")
                try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = ?", arguments: [AgreementSpans.migration])
            }
            let reopened = try SQLiteHubStore(path: fixture.directory.appendingPathComponent("hub.sqlite").path)
            #expect(try await reopened.appliedMigrations().contains(AgreementSpans.migration))
        } else if let postgres = fixture.store as? PostgresHubStore {
            try await postgres.transaction { connection in
                try await connection.run("DROP TABLE agreement_spans", logger: postgres.logger)
                try await connection.run("DELETE FROM gx_schema_migrations WHERE id = \(AgreementSpans.migration)", logger: postgres.logger)
            }
            try await postgres.migrate()
            #expect(try await postgres.appliedMigrations().contains(AgreementSpans.migration))
        }
        let filled = try await fixture.store.agreementSpans()
        #expect(filled == replayed)
        #expect(filled.values.map(\.count).reduce(0, +) == 7)
    }
}
