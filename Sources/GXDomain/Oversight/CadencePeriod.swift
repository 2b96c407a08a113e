import Foundation

/// One period of an agreed frequency, as a run of nights: a night (daily, real-time), a week of nights
/// beginning on a Monday, or the nights beginning in a calendar month, quarter or year — the periods
/// `UpdateCycle.periodStart(containing:)` begins.
public struct CadencePeriod: Codable, Sendable, Hashable {
    public var first: CalendarDate
    public var last: CalendarDate

    public init(first: CalendarDate, last: CalendarDate) {
        self.first = first
        self.last = last
    }

    /// When the period is over: the noon after its last night.
    public var end: Date { last.adding(days: 1).nightStart }
    public var start: Date { first.nightStart }

    public func contains(_ night: CalendarDate) -> Bool { first <= night && night <= last }

    /// The period of `cycle` that contains `night`.
    public static func of(_ cycle: UpdateCycle, containing night: CalendarDate) -> CadencePeriod {
        switch cycle {
        case .realTime, .daily:
            return CadencePeriod(first: night, last: night)
        case .weekly:
            let monday = night.adding(days: 1 - night.weekday)
            return CadencePeriod(first: monday, last: monday.adding(days: 6))
        case .monthly:
            return months(night.year, night.month, night.month)
        case .quarterly:
            let first = ((night.month - 1) / 3) * 3 + 1
            return months(night.year, first, first + 2)
        case .yearly:
            return months(night.year, 1, 12)
        }
    }

    /// The periods of `cycle` that overlap the nights `from` through `to`, in order.
    public static func periods(of cycle: UpdateCycle, from: CalendarDate, through to: CalendarDate) -> [CadencePeriod] {
        var periods: [CadencePeriod] = []
        var night = from
        while night <= to {
            let period = of(cycle, containing: night)
            periods.append(period)
            night = period.last.adding(days: 1)
        }
        return periods
    }

    static func months(_ year: Int, _ first: Int, _ last: Int) -> CadencePeriod {
        CadencePeriod(first: CalendarDate(year: year, month: first, day: 1),
                      last: CalendarDate(year: year, month: last, day: CalendarDate.daysIn(month: last, year: year)))
    }
}
