import Foundation
import GXDomain

extension Hub {
    /// Years the demand clocks count now that the calendar does not cover: this year, and next year from
    /// December on (its notice is published in November). Such years count weekends only.
    public func uncoveredCalendarYears(at time: Date = Date()) -> [Int] {
        let today = Timestamp.beijingDay(of: time)
        return calendar.uncovered(today.month == 12 ? [today.year, today.year + 1] : [today.year])
    }

    /// Logs a warning at start-up for each year the calendar does not cover.
    public func warnAboutCalendar(at time: Date = Date()) {
        for year in uncoveredCalendarYears(at: time) {
            logger.warning("working-day calendar does not cover \(year): deadlines in \(year) count weekends only; add the State Council's holiday notice with --calendar FILE")
        }
    }
}
