import Foundation
import GXDomain
import Testing

@Suite("When a pass is due: nights begin at 12:00 Beijing time")
struct UpdateCycleNightTests {
    static func instant(_ text: String) -> Date { Timestamp.date(from: text)! }

    @Test("a daily night runs from 12:00 to 12:00 Beijing time, so 23:50 and 00:10 share one night")
    func dailyNight() {
        // 2026-12-03 23:50 and 2026-12-04 00:10 Beijing are 15:50Z and 16:10Z on the 3rd; the night began 04:00Z.
        let start = Self.instant("2026-12-03T04:00:00Z")
        #expect(UpdateCycle.daily.periodStart(containing: Self.instant("2026-12-03T15:50:00Z")) == start)
        #expect(UpdateCycle.daily.periodStart(containing: Self.instant("2026-12-03T16:10:00Z")) == start)
        #expect(UpdateCycle.daily.periodStart(containing: Self.instant("2026-12-04T03:59:59Z")) == start)
        #expect(UpdateCycle.daily.periodStart(containing: Self.instant("2026-12-04T04:00:00Z")) == Self.instant("2026-12-04T04:00:00Z"))
        #expect(UpdateCycle.realTime.periodStart(containing: Self.instant("2026-12-03T17:00:00Z")) == start)
    }

    @Test("weekly nights begin on a Monday's noon; monthly, quarterly and yearly on the first day's noon")
    func longerPeriods() {
        // 2026-12-03 is a Thursday; its week's nights began Monday 2026-11-30 12:00 Beijing.
        let thursday = Self.instant("2026-12-03T17:00:00Z")
        #expect(UpdateCycle.weekly.periodStart(containing: thursday) == Self.instant("2026-11-30T04:00:00Z"))
        // Monday 2026-11-30 01:30 Beijing still belongs to the night of Sunday, so to the week before.
        #expect(UpdateCycle.weekly.periodStart(containing: Self.instant("2026-11-29T17:30:00Z")) == Self.instant("2026-11-23T04:00:00Z"))
        #expect(UpdateCycle.monthly.periodStart(containing: thursday) == Self.instant("2026-12-01T04:00:00Z"))
        #expect(UpdateCycle.quarterly.periodStart(containing: thursday) == Self.instant("2026-10-01T04:00:00Z"))
        #expect(UpdateCycle.yearly.periodStart(containing: thursday) == Self.instant("2026-01-01T04:00:00Z"))
    }
}
