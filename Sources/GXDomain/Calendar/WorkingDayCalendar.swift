import Foundation

/// China's working days (工作日): weekends and public holidays off, except the 调休 weekends worked in
/// their place. The holidays are data — one file per year from the State Council's notice, published each
/// November — so an operator adds next year without a new gx. A year no file covers counts weekends only.
public struct WorkingDayCalendar: Sendable, Hashable {
    /// Years the loaded notices cover.
    public private(set) var coveredYears: Set<Int> = []
    private(set) var holidays: Set<CalendarDate> = []
    private(set) var workingWeekends: Set<CalendarDate> = []

    public init() {}

    public init(years: [HolidayYear]) throws(InvalidInput) {
        for year in years { try adding(year) }
    }

    /// Adds a year's notice; a later file for a year already covered replaces it (an operator's correction).
    public mutating func adding(_ notice: HolidayYear) throws(InvalidInput) {
        let validated = try notice.validated()
        if coveredYears.contains(validated.year) {
            holidays = holidays.filter { $0.year != validated.year }
            workingWeekends = workingWeekends.filter { $0.year != validated.year }
        }
        coveredYears.insert(validated.year)
        for holiday in validated.holiday {
            for number in holiday.from.dayNumber...holiday.until.dayNumber { holidays.insert(CalendarDate(dayNumber: number)) }
            workingWeekends.formUnion(holiday.workingWeekends)
        }
    }

    public func covers(year: Int) -> Bool { coveredYears.contains(year) }

    public func isWorkingDay(_ day: CalendarDate) -> Bool {
        if workingWeekends.contains(day) { return true }
        if holidays.contains(day) { return false }
        return !day.isWeekend
    }

    /// The `workingDays`-th working day after the day `start` falls on in China (the day itself does not count:
    /// a request made on a holiday or late on a Friday gets its full allowance).
    public func deadlineDay(from start: Date, workingDays: Int) -> CalendarDate {
        var day = Timestamp.beijingDay(of: start)
        var counted = 0
        while counted < max(0, workingDays) {
            day = day.adding(days: 1)
            if isWorkingDay(day) { counted += 1 }
        }
        return day
    }

    /// The instant a time limit of `workingDays` runs out: the end of its last working day in China
    /// Standard Time (midnight UTC+8 starting the next day).
    public func deadline(from start: Date, workingDays: Int) -> Date {
        deadlineDay(from: start, workingDays: workingDays).adding(days: 1).startInChina
    }

    /// Years among `years` no notice covers: the hub warns that they count weekends only.
    public func uncovered(_ years: some Sequence<Int>) -> [Int] {
        Set(years).subtracting(coveredYears).sorted()
    }
}
