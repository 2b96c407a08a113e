import Foundation

/// When a provider's pass is due. Exchange runs at night, so a *night* begins at 12:00 Beijing time and
/// runs to the next noon: a provider's run at 23:50 and its consumer's at 00:10 fall in one night. A daily
/// (or real-time) agreement expects one pass each night; a weekly one each week of nights beginning on a
/// Monday's noon; a monthly, quarterly or yearly one in the nights beginning in that calendar month,
/// quarter or year.
extension UpdateCycle {
    /// Hours added to UTC to reach the moment a night begins at midnight: +8 for Beijing, −12 for noon.
    static let nightOffsetFromUTC: TimeInterval = (8 - 12) * 3600

    /// The beginning of the period (one night, week, month, quarter or year of nights) containing `instant`:
    /// a pass the hub accepted at or after it is this period's pass.
    public func periodStart(containing instant: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        calendar.firstWeekday = 2
        let shifted = instant.addingTimeInterval(Self.nightOffsetFromUTC)
        let day = calendar.startOfDay(for: shifted)
        let parts = calendar.dateComponents([.year, .month], from: day)
        let start: Date
        switch self {
        case .realTime, .daily:
            start = day
        case .weekly:
            let weekday = calendar.component(.weekday, from: day)
            start = calendar.date(byAdding: .day, value: -((weekday + 5) % 7), to: day)!
        case .monthly:
            start = calendar.date(from: DateComponents(year: parts.year, month: parts.month, day: 1))!
        case .quarterly:
            start = calendar.date(from: DateComponents(year: parts.year, month: ((parts.month! - 1) / 3) * 3 + 1, day: 1))!
        case .yearly:
            start = calendar.date(from: DateComponents(year: parts.year, month: 1, day: 1))!
        }
        return start.addingTimeInterval(-Self.nightOffsetFromUTC)
    }
}
