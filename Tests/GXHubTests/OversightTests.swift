import Foundation
import GXDomain
import GXHub
import GXStorage
import GXTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Oversight: cadence per agreed period and statistics, from the night totals")
struct OversightTests {
    typealias P = ExchangePlanting

    /// November 2026 for the daily population agreement: nights divisible by 5 have no pass (missed); by 7, the
    /// receipt comes the next afternoon (late); night 13's pass is never applied; the rest are on time.
    static func expected(_ night: Int) -> CadenceStatus {
        if night % 5 == 0 { return .missed }
        if night == 13 { return .notApplied }
        if night % 7 == 0 { return .late }
        return .onTime
    }

    static func plantNovember(_ store: any HubStore) async throws -> AgreementTerms {
        var planting = ExchangePlanting(store: store)
        let terms = try await planting.activate("RK-001", at: P.beijing(2026, 10, 31, 9))
        for night in 1...30 where expected(night) != .missed {
            let sequence = try await planting.push(terms, at: P.beijing(2026, 11, night, 23), upserts: 10)
            switch expected(night) {
            case .late: try await planting.acknowledge(terms, sequence, at: P.beijing(2026, 11, night + 1, 15), upserts: 10)
            case .onTime: try await planting.acknowledge(terms, sequence, at: P.beijing(2026, 11, night + 1, 2), upserts: 10)
            default: break
            }
        }
        return terms
    }

    @Test("a month with planted missed, late, unapplied and on-time nights reads back night by night", arguments: StoreBackend.allCases)
    func cadenceOfAMonth(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        let terms = try await Self.plantNovember(fixture.store)
        let report = try await OversightWorkflow(hub: fixture.hub).compliance(from: CalendarDate("2026-11-01")!, through: CalendarDate("2026-11-30")!,
                                                                              agency: nil, now: P.beijing(2026, 12, 4, 10))
        let row = try #require(report.rows.first { $0.agreementID == terms.id })
        #expect(row.periods.count == 30)
        #expect(row.periods.map(\.status) == (1...30).map(Self.expected))
        #expect(row.count(.missed) == 6 && row.count(.late) == 4 && row.count(.notApplied) == 1 && row.count(.onTime) == 19)
        #expect(row.periods[0].passCompletedAt == Timestamp.string(from: P.beijing(2026, 11, 1, 23)))
        #expect(row.periods[0].appliedAt == Timestamp.string(from: P.beijing(2026, 11, 2, 2)))
        // The catalogue promises RK-001 daily: the nights without a pass count against its provider alone.
        let promise = try #require(report.rows.first { $0.agreementID == nil && $0.resourceCode == "RK-001" })
        #expect(promise.periods.map(\.status) == (1...30).map { Self.expected($0) == .missed ? .missed : .onTime })
        #expect(promise.consumer == nil && promise.provider == terms.provider)
        // The other catalogue resources never received a pass.
        let housing = try #require(report.rows.first { $0.agreementID == nil && $0.resourceCode == "FC-001" })
        #expect(housing.count(.missed) == 30)
    }

    @Test("a weekly agreement is judged per week of nights from Monday, pending while the week runs", arguments: [StoreBackend.sqlite])
    func weeklyCadence(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        var planting = ExchangePlanting(store: fixture.store)
        let terms = try await planting.activate("RK-001", at: P.beijing(2026, 10, 31, 9), frequency: .weekly)
        // Week of 11-02: pass on Wednesday, applied Sunday night (on time). Week of 11-09: nothing. Week of 11-16: running.
        let s = try await planting.push(terms, at: P.beijing(2026, 11, 4, 22), upserts: 3)
        try await planting.acknowledge(terms, s, at: P.beijing(2026, 11, 9, 3), upserts: 3)
        let report = try await OversightWorkflow(hub: fixture.hub).compliance(from: CalendarDate("2026-11-02")!, through: CalendarDate("2026-11-18")!,
                                                                              agency: terms.consumer, now: P.beijing(2026, 11, 18, 10))
        let row = try #require(report.rows.first { $0.agreementID == terms.id })
        #expect(row.periods.map(\.first.description) == ["2026-11-02", "2026-11-09", "2026-11-16"])
        #expect(row.periods.map(\.status) == [.onTime, .missed, .pending])
        #expect(row.isOverdue == true)
        // An agency sees only its own rows: the consumer has no catalogue rows of its own.
        #expect(report.rows.allSatisfy { $0.agreementID != nil })
    }

    @Test("the compliance route answers the report, refuses a bad date by name and another agency's report", arguments: [StoreBackend.sqlite])
    func complianceRoute(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        let terms = try await Self.plantNovember(fixture.store)
        try await fixture.hub.withClient { client in
            let response = try await client.call(.get, "/v1/reports/compliance?from=2026-11-01&to=2026-11-30", token: fixture.adminToken)
            try response.expect(.ok)
            let report = try response.decode(ComplianceReport.self)
            #expect(report.rows.first { $0.agreementID == terms.id }?.count(.late) == 4)
            let bad = try await client.call(.get, "/v1/reports/compliance?from=2026-11-31&to=2026-11-30", token: fixture.adminToken)
            #expect(bad.status == .badRequest && bad.error?.field == "from")
            let consumer = fixture.party(terms.consumer)
            let other = try await client.call(.get, "/v1/reports/compliance?from=2026-11-01&to=2026-11-30&agency=\(terms.provider)", token: consumer.token)
            #expect(other.status == .forbidden)
            let own = try await client.call(.get, "/v1/reports/compliance?from=2026-11-01&to=2026-11-30", token: consumer.token)
            #expect(try own.decode(ComplianceReport.self).rows.map(\.agreementID) == [terms.id])
        }
    }

    @Test("the metrics name an agreement whose last ended period was a 空白", arguments: [StoreBackend.sqlite])
    func overdueMetric(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        var planting = ExchangePlanting(store: fixture.store)
        let yesterday = CalendarDate.night(of: Date()).adding(days: -1)
        let terms = try await planting.activate("RK-001", at: yesterday.adding(days: -3).nightStart)
        // Last night's pass was never applied.
        _ = try await planting.push(terms, at: yesterday.nightStart.addingTimeInterval(3600), upserts: 1)
        try await fixture.hub.withClient { client in
            let text = try await client.call(.get, "/metrics", token: fixture.adminToken).text
            #expect(text.contains("gongxiang_cadence_overdue{agreement=\"\(terms.id)\"} 1"))
        }
    }

    @Test("statistics equal the sums computed from the planted batches, per month, agency and resource", arguments: StoreBackend.allCases)
    func statisticsEqualSums(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        var planting = ExchangePlanting(store: fixture.store)
        let population = try await planting.activate("RK-001", at: P.beijing(2026, 9, 30, 9))
        let legal = try await planting.activate("FR-001", at: P.beijing(2026, 9, 30, 10))
        struct Planted { var resource: String; var month: Int; var upserts: Int64; var deletes: Int64; var quarantined: Int64; var applied: Bool
            var provider: String; var consumer: String }
        var planted: [Planted] = []
        var generator = SystemRandomNumberGenerator()
        for (month, days) in [(10, 31), (11, 30)] {
            for day in stride(from: 1, through: days, by: 3) {
                for terms in [population, legal] {
                    let upserts = Int64.random(in: 0...500, using: &generator), deletes = Int64.random(in: 0...20, using: &generator)
                    let bad = Int64.random(in: 0...4, using: &generator)
                    let sequence = try await planting.push(terms, at: P.beijing(2026, month, day, 22), upserts: upserts, deletes: deletes,
                                                           quarantine: bad > 0 ? [QualityFinding(item: "key", rule: "format", count: bad)] : [])
                    let applied = Bool.random(using: &generator)
                    if applied { try await planting.acknowledge(terms, sequence, at: P.beijing(2026, month, day + 1, 1), upserts: upserts, deletes: deletes) }
                    planted.append(Planted(resource: terms.resourceCode, month: month, upserts: upserts, deletes: deletes, quarantined: bad,
                                           applied: applied, provider: terms.provider, consumer: terms.consumer))
                }
            }
        }
        let report = try await OversightWorkflow(hub: fixture.hub).statistics(year: 2026, month: nil, agency: nil, now: P.beijing(2026, 12, 4, 10))
        // An agency's line counts what it provides, and what flows under the agreements it is party to.
        func check(_ line: StatisticsLine?, _ rows: [Planted], _ what: String, provided: [Planted]? = nil) {
            let provided = provided ?? rows
            #expect(line?.batches ?? 0 == Int64(provided.count), "\(what) batches")
            #expect(line?.recordsProvided ?? 0 == provided.reduce(0) { $0 + $1.upserts + $1.deletes }, "\(what) provided")
            #expect(line?.recordsDelivered ?? 0 == rows.reduce(0) { $0 + $1.upserts + $1.deletes }, "\(what) delivered")
            #expect(line?.recordsApplied ?? 0 == rows.filter(\.applied).reduce(0) { $0 + $1.upserts + $1.deletes }, "\(what) applied")
            #expect(line?.quarantined ?? 0 == provided.reduce(0) { $0 + $1.quarantined }, "\(what) quarantined")
            #expect(line?.quarantinedByRule["key/format"] ?? 0 == provided.reduce(0) { $0 + $1.quarantined }, "\(what) by rule")
        }
        check(report.total, planted, "total")
        for month in 1...12 {
            check(report.byMonth[month - 1], planted.filter { $0.month == month }, "month \(month)")
        }
        for resource in ["RK-001", "FR-001"] {
            check(report.byResource.first { $0.key == resource }, planted.filter { $0.resource == resource }, resource)
        }
        for agency in Set(planted.flatMap { [$0.provider, $0.consumer] }) {
            check(report.byAgency.first { $0.key == agency }, planted.filter { $0.provider == agency || $0.consumer == agency }, agency,
                  provided: planted.filter { $0.provider == agency })
        }
        // Both agreements were filed on the night of 09-29 (09:00 on the 30th is before that night's noon).
        #expect(report.total.agreementsFiled == 2 && report.byMonth[8].agreementsFiled == 2)
        #expect(report.byMonth[8].pairsActive == 2 && report.byMonth[10].pairsActive == 2 && report.byMonth[7].pairsActive == 0)
        #expect(report.total.objectionsRaised == 0)
        let november = try await OversightWorkflow(hub: fixture.hub).statistics(year: 2026, month: 11, agency: nil, now: P.beijing(2026, 12, 4, 10))
        check(november.total, planted.filter { $0.month == 11 }, "November alone")
    }
}
