import Foundation

/// Day arithmetic on civil dates, by day numbers (days since 1970-01-01), so counting working days never
/// depends on Foundation's calendars or the machine's time zone.
extension CalendarDate {
    /// Days since 1970-01-01 (days-from-civil, Howard Hinnant).
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public init(dayNumber: Int) {
        let (year, month, day) = DateText.civil(fromDays: dayNumber)
        self.init(year: year, month: month, day: day)
    }

    public func adding(days: Int) -> CalendarDate { CalendarDate(dayNumber: dayNumber + days) }

    /// ISO weekday: 1 Monday … 7 Sunday (1970-01-01 was a Thursday).
    public var weekday: Int { ((dayNumber % 7 + 7) % 7 + 3) % 7 + 1 }

    public var isWeekend: Bool { weekday >= 6 }

    /// The instant this day begins in China Standard Time (UTC+8, no daylight saving).
    public var startInChina: Date { Date(timeIntervalSince1970: TimeInterval(dayNumber) * 86_400 - 8 * 3600) }
}
