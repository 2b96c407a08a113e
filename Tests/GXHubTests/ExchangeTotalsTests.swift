@testable import GXStorage
import Foundation
import GRDB
import GXPostgres
import PostgresNIO
import GXDomain
import GXHub
import GXTestSupport
import Testing

@Suite("Exchange totals: kept per night as batches, deliveries and receipts are accepted")
struct ExchangeTotalsTests {
    typealias P = ExchangePlanting

    /// Two nights of RK-001: three batches on the night of 11-02 (the last at 11:59 the next morning), one on 11-03.
    static func plant(_ store: any HubStore) async throws -> AgreementTerms {
        var planting = ExchangePlanting(store: store)
        let terms = try await planting.activate("RK-001", at: P.beijing(2026, 11, 1, 9))
        let s1 = try await planting.push(terms, at: P.beijing(2026, 11, 2, 14), upserts: 100, endsPass: false)
        let s2 = try await planting.push(terms, at: P.beijing(2026, 11, 2, 23, 50), upserts: 5, deletes: 2,
                                         quarantine: [QualityFinding(item: "公民身份号码", rule: "check_digit", count: 3)])
        let s3 = try await planting.push(terms, at: P.beijing(2026, 11, 3, 11, 59), upserts: 7,
                                         quarantine: [QualityFinding(item: "公民身份号码", rule: "check_digit", count: 2),
                                                      QualityFinding(item: "出生日期", rule: "date", count: 1)])
        let s4 = try await planting.push(terms, at: P.beijing(2026, 11, 3, 12), upserts: 1)
        try await planting.acknowledge(terms, s1, at: P.beijing(2026, 11, 3, 1), upserts: 100)
        try await planting.acknowledge(terms, s2, at: P.beijing(2026, 11, 3, 2), upserts: 5, deletes: 2)
        try await planting.acknowledge(terms, s3, at: P.beijing(2026, 11, 4, 2), upserts: 7)
        _ = s4
        return terms
    }

    @Test("a night's totals add up what the hub accepted that night, noon to noon", arguments: StoreBackend.allCases)
    func nightTotals(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        let terms = try await Self.plant(fixture.store)
        let totals = try await fixture.store.exchangeTotals(from: CalendarDate("2026-11-01")!, through: CalendarDate("2026-11-30")!, agency: nil)
        let resource = try #require(totals.first { $0.night == CalendarDate("2026-11-02")! && $0.isResourceRow })
        #expect(resource.batches == 3)
        #expect(resource.upsertsProvided == 112)
        #expect(resource.deletesProvided == 2)
        #expect(resource.quarantined == 6)
        #expect(resource.passes == 2)
        #expect(resource.passCompletedAt == Timestamp.string(from: P.beijing(2026, 11, 2, 23, 50)))
        let pair = try #require(totals.first { $0.night == CalendarDate("2026-11-02")! && $0.agreementID == terms.id })
        #expect(pair.deliveries == 3)
        #expect(pair.recordsDelivered == 114)
        #expect(pair.receiptsMatched == 3)
        #expect(pair.recordsApplied == 114)
        #expect(pair.appliedAt == Timestamp.string(from: P.beijing(2026, 11, 4, 2)))
        #expect(pair.passAppliedAt == Timestamp.string(from: P.beijing(2026, 11, 3, 2)))
        let next = try #require(totals.first { $0.night == CalendarDate("2026-11-03")! && $0.isResourceRow })
        #expect(next.batches == 1 && next.upsertsProvided == 1)
        #expect(!totals.contains { $0.night == CalendarDate("2026-11-03")! && $0.agreementID == terms.id && $0.receiptsMatched > 0 })
        let quarantine = try await fixture.store.monthlyQuarantineTotals(from: CalendarDate("2026-11-01")!, through: CalendarDate("2026-11-30")!)
        #expect(quarantine.map { "\($0.item)/\($0.rule)=\($0.count)" }.sorted() == ["公民身份号码/check_digit=5", "出生日期/date=1"])
        let other = try await fixture.store.exchangeTotals(from: CalendarDate("2026-11-01")!, through: CalendarDate("2026-11-30")!, agency: "11110000000021012L")
        #expect(other.isEmpty)
    }

    @Test("the migration's backfill rebuilds the same totals from the kept batches and receipts", arguments: StoreBackend.allCases)
    func backfill(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        _ = try await Self.plant(fixture.store)
        let from = CalendarDate("2026-10-01")!, through = CalendarDate("2026-12-31")!
        let kept = try await fixture.store.exchangeTotals(from: from, through: through, agency: nil)
        let keptQuarantine = try await fixture.store.monthlyQuarantineTotals(from: from, through: through)
        if let sqlite = fixture.store as? SQLiteHubStore {
            try await sqlite.pool.write { db in
                try db.execute(sql: "DELETE FROM exchange_totals; DELETE FROM quarantine_totals")
                try SQLiteHubStore.backfillTotals(db)
            }
        } else if let postgres = fixture.store as? PostgresHubStore {
            try await postgres.transaction { connection in
                try await connection.run("DELETE FROM exchange_totals", logger: postgres.logger)
                try await connection.run("DELETE FROM quarantine_totals", logger: postgres.logger)
                try await postgres.backfillTotals(on: connection)
            }
        }
        #expect(try await fixture.store.exchangeTotals(from: from, through: through, agency: nil) == kept)
        #expect(try await fixture.store.monthlyQuarantineTotals(from: from, through: through) == keptQuarantine)
        #expect(kept.count == 4)
    }
}
