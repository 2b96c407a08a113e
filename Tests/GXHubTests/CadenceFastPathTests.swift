import Foundation
import GXDomain
import GXHub
import GXStorage
import GXTestSupport
import Testing

/// The compliance report reads narrow cadence nights and walks them once per subject; this checks it night by
/// night against what was planted, judged here from the plan alone, never from the store's totals.
@Suite("Cadence: the report equals an independent judgement of planted nights")
struct CadenceFastPathTests {
    typealias P = ExchangePlanting

    /// The provider's November: none on nights divisible by 6, a non-final batch at 20:00 then the pass-ending
    /// one at 23:00 on nights ≡ 1 (mod 4), otherwise only the pass-ending batch at 23:00.
    enum Pass { case none, one, two }
    static func pass(_ night: Int) -> Pass { night % 6 == 0 ? .none : night % 4 == 1 ? .two : .one }

    /// Consumer `a`'s receipt for the pass-ending batch: none, late (15:00 the next day) or on time (02:00).
    enum Receipt { case none, late, onTime }
    static func receipt(_ a: Int, _ night: Int) -> Receipt {
        switch (night + 2 * a) % 7 {
        case 0: return .none
        case 1, 2: return .late
        default: return .onTime
        }
    }

    /// The second agreement is suspended before night 10 begins and resumed as night 15 begins.
    static func suspended(_ a: Int, _ night: Int) -> Bool { a == 1 && (10...14).contains(night) }

    static func expected(_ a: Int, _ night: Int) -> CadenceStatus {
        if suspended(a, night) { return .notDue }
        if Self.pass(night) == .none { return .missed }
        switch Self.receipt(a, night) {
        case .none: return .notApplied
        case .late: return .late
        case .onTime: return .onTime
        }
    }

    @Test("every night of two agreements on one resource, with a suspension and two batches a night, as planned", arguments: StoreBackend.allCases)
    func reportEqualsPlan(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        let agreements = try SampleDocuments.agreementTerms().filter { $0.resourceCode == "FR-001" }.sorted { $0.id < $1.id }
        try #require(agreements.count == 2)
        for terms in agreements {
            var agreement = SharingAgreement(terms: terms)
            agreement.state = .active
            agreement.revision = 1
            try await fixture.store.commit([.saveAgreement(agreement, expectedRevision: nil)],
                                           audit: [AuditDraft(actor: "admin:authority", action: "agreement.activated", subject: terms.id,
                                                              agreement: terms.id, agencies: [terms.provider, terms.consumer])],
                                           at: P.beijing(2026, 10, 31, 9))
        }
        func audit(_ action: String, at time: Date) async throws {
            let terms = agreements[1]
            try await fixture.store.commit([], audit: [AuditDraft(actor: "admin:authority", action: action, subject: terms.id, agreement: terms.id,
                                                                  agencies: [terms.provider, terms.consumer])], at: time)
        }
        var planting = ExchangePlanting(store: fixture.store)
        for night in 1...30 {
            if night == 10 { try await audit("agreement.suspended", at: P.beijing(2026, 11, 10, 11)) }
            if night == 15 { try await audit("agreement.resumed", at: P.beijing(2026, 11, 15, 12)) }
            if Self.pass(night) == .none { continue }
            if Self.pass(night) == .two {
                let early = try await planting.push(agreements[0], at: P.beijing(2026, 11, night, 20), upserts: 4, endsPass: false, deliveredTo: [agreements[1]])
                // The first consumer acknowledges the non-final batch: a matched receipt, but not the pass applied.
                try await planting.acknowledge(agreements[0], early, at: P.beijing(2026, 11, night, 21), upserts: 4)
            }
            let sequence = try await planting.push(agreements[0], at: P.beijing(2026, 11, night, 23), upserts: 5, deliveredTo: [agreements[1]])
            for (a, terms) in agreements.enumerated() where !Self.suspended(a, night) {
                switch Self.receipt(a, night) {
                case .none: break
                case .late: try await planting.acknowledge(terms, sequence, at: P.beijing(2026, 11, night + 1, 15), upserts: 5)
                case .onTime: try await planting.acknowledge(terms, sequence, at: P.beijing(2026, 11, night + 1, 2), upserts: 5)
                }
            }
        }
        let report = try await OversightWorkflow(hub: fixture.hub).compliance(from: CalendarDate("2026-11-01")!, through: CalendarDate("2026-11-30")!,
                                                                              agency: nil, now: P.beijing(2026, 12, 4, 10))
        for (a, terms) in agreements.enumerated() {
            let row = try #require(report.rows.first { $0.agreementID == terms.id })
            #expect(row.periods.map(\.status) == (1...30).map { Self.expected(a, $0) }, "\(terms.id)")
            for (index, period) in row.periods.enumerated() {
                let night = index + 1
                let passed = Self.pass(night) != .none
                #expect(period.first == CalendarDate(year: 2026, month: 11, day: night) && period.last == period.first)
                #expect(period.batches == (Self.pass(night) == .two ? 2 : passed ? 1 : 0), "\(terms.id) night \(night)")
                #expect(period.passCompletedAt == (passed ? Timestamp.string(from: P.beijing(2026, 11, night, 23)) : nil))
                var applied: Date?
                if passed, !Self.suspended(a, night) {
                    switch Self.receipt(a, night) {
                    case .none: applied = nil
                    case .late: applied = P.beijing(2026, 11, night + 1, 15)
                    case .onTime: applied = P.beijing(2026, 11, night + 1, 2)
                    }
                }
                #expect(period.appliedAt == applied.map(Timestamp.string(from:)), "\(terms.id) night \(night)")
                let receipts = (applied == nil ? 0 : 1) + (a == 0 && Self.pass(night) == .two ? 1 : 0)
                #expect(period.receiptsMatched == Int64(receipts), "\(terms.id) night \(night)")
            }
        }
        // The catalogue row holds the provider alone to its daily promise.
        let promise = try #require(report.rows.first { $0.agreementID == nil && $0.resourceCode == "FR-001" })
        #expect(promise.periods.map(\.status) == (1...30).map { Self.pass($0) == .none ? .missed : .onTime })
    }
}
