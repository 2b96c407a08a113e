import Foundation
import GRDB
import GXCrypto
import GXDomain
import GXHub
import GXStorage
import GXTestSupport
import HummingbirdTesting
import Testing

@Suite("Audit agency index: checked against the chain, rebuilt from it")
struct AuditIndexRepairTests {
    let police = "111100000000210552"

    /// Runs `sql` on the fixture's database behind the hub's back, as someone with database access would.
    func tamper(_ fixture: HubFixture, _ sql: String) async throws {
        if let postgres = fixture.store as? PostgresHubStore {
            try await TestPostgres.execute(sql, in: postgres.settings)
        } else {
            try await DatabaseQueue(path: fixture.directory.appendingPathComponent("hub.sqlite").path).write { try $0.execute(sql: sql) }
        }
    }

    func byAgency(_ fixture: HubFixture, _ agency: String) async throws -> [Int64] {
        try await fixture.store.auditEntries(matching: AuditQuery(agency: agency, limit: 1000)).map(\.seq)
    }

    @Test("a deleted index row hides an entry from ?agency=, verify from the store reports it, and a repair restores it",
          arguments: StoreBackend.allCases)
    func deletedRowDetectedAndRepaired(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        try await fixture.hub.signCheckpoint()
        let before = try await byAgency(fixture, police)
        let hidden = try #require(before.last)
        #expect(try await fixture.store.verifyAuditChain(hubKey: fixture.hub.key.publicKey).verdict == .intact)

        try await tamper(fixture, "DELETE FROM audit_entry_agencies WHERE agency = '\(police)' AND seq = \(hidden)")
        #expect(try await byAgency(fixture, police) == Array(before.dropLast()))
        let report = try await fixture.store.verifyAuditChain(hubKey: fixture.hub.key.publicKey, pageSize: 7)
        #expect(report.firstBreak?.kind == .indexMismatch)
        #expect(report.firstBreak?.seq == hidden)

        let repair = try await fixture.store.repairAuditIndex(by: "hub", pageSize: 7)
        #expect(repair.added == [AuditIndexRow(seq: hidden, agency: police)])
        #expect(repair.removed.isEmpty)
        #expect(repair.entry?.action == "audit.index_repaired")
        #expect(try await byAgency(fixture, police) == before + [repair.entry!.seq])
        try await fixture.hub.signCheckpoint()
        #expect(try await fixture.store.verifyAuditChain(hubKey: fixture.hub.key.publicKey).verdict == .intact)
    }

    @Test("an index row filing an entry under an agency it does not name is reported and removed", arguments: StoreBackend.allCases)
    func addedRowDetectedAndRemoved(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        try await fixture.hub.signCheckpoint()
        try await tamper(fixture, "INSERT INTO audit_entry_agencies (agency, seq) VALUES ('\(police)', 1)")
        #expect(try await byAgency(fixture, police).first == 1)
        let report = try await fixture.store.verifyAuditChain(hubKey: fixture.hub.key.publicKey)
        #expect(report.firstBreak?.kind == .indexMismatch)
        #expect(report.firstBreak?.seq == 1)

        let repair = try await fixture.store.repairAuditIndex(by: "hub")
        #expect(repair.removed == [AuditIndexRow(seq: 1, agency: police)])
        #expect(try await byAgency(fixture, police).first != 1)
    }

    @Test("a repair of a sound index changes nothing and writes no entry", arguments: StoreBackend.allCases)
    func soundIndexUntouched(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        let head = try await fixture.store.auditHead()
        let repair = try await fixture.store.repairAuditIndex(by: "hub", pageSize: 5)
        #expect(repair.added.isEmpty && repair.removed.isEmpty && repair.entry == nil)
        #expect(repair.entriesChecked == head.seq)
        #expect(try await fixture.store.auditHead().seq == head.seq)
    }
}
