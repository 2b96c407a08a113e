import Foundation
import GXDomain
import GXTestSupport
import Testing

@Suite("Working-day calendar")
struct WorkingDayCalendarTests {
    /// An instant given as a civil time in China Standard Time.
    static func china(_ day: String, hour: Int = 10) -> Date {
        CalendarDate(day)!.startInChina.addingTimeInterval(TimeInterval(hour * 3600))
    }

    let calendar = WorkingDayCalendar.shipped()

    @Test("10 working days from the eve of National Day 2026 skip Oct 1–7 and count the working Saturday Oct 10")
    func nationalDay() {
        let start = Self.china("2026-09-30")
        // Oct 8, 9, 10 (Saturday, 调休), 12–16, 19, 20.
        #expect(calendar.deadlineDay(from: start, workingDays: 10) == CalendarDate("2026-10-20"))
        #expect(calendar.isWorkingDay(CalendarDate("2026-10-10")!))
        #expect(!calendar.isWorkingDay(CalendarDate("2026-10-08")!.adding(days: -1)))
        // The time limit runs out at the end of Oct 20 in Beijing: 16:00 UTC.
        #expect(Timestamp.string(from: calendar.deadline(from: start, workingDays: 10)) == "2026-10-20T16:00:00.000Z")
    }

    @Test("deadlines across Spring Festival 2026 skip Feb 15–23 and count the working Saturdays Feb 14 and Feb 28")
    func springFestival() {
        let friday = Self.china("2026-02-13", hour: 17)
        #expect(calendar.deadlineDay(from: friday, workingDays: 2) == CalendarDate("2026-02-24"))
        // Feb 14, 24, 25, 26, 27, 28 (Saturday, 调休), Mar 2, 3, 4, 5.
        #expect(calendar.deadlineDay(from: friday, workingDays: 10) == CalendarDate("2026-03-05"))
    }

    @Test("the day of submission does not count, even late in the evening in Beijing")
    func submissionDayDoesNotCount() {
        // 23:30 in Beijing on Monday 2026-03-02 is still Monday there (15:30 UTC).
        let late = Self.china("2026-03-02", hour: 23)
        #expect(calendar.deadlineDay(from: late, workingDays: 1) == CalendarDate("2026-03-03"))
    }

    @Test("a year the calendar does not cover counts weekends only")
    func uncoveredYear() {
        #expect(!calendar.covers(year: 2027))
        #expect(calendar.uncovered([2026, 2027]) == [2027])
        // From Thursday 2027-09-30: Oct 1 (no holiday known), 4–8, 11–14.
        #expect(calendar.deadlineDay(from: Self.china("2027-09-30"), workingDays: 10) == CalendarDate("2027-10-14"))
    }

    @Test("a file for another year extends the calendar; a second file for a year replaces it")
    func extendAndReplace() throws {
        var calendar = self.calendar
        try calendar.adding(HolidayYear.parse("""
            year = 2027
            [[holiday]]
            name = "国庆节"
            from = "2027-10-01"
            until = "2027-10-07"
            """, source: "china-2027.toml"))
        #expect(calendar.covers(year: 2027))
        #expect(calendar.deadlineDay(from: Self.china("2027-09-30"), workingDays: 1) == CalendarDate("2027-10-08"))
        try calendar.adding(HolidayYear.parse("year = 2026\nholiday = []\n", source: "fix-2026.toml"))
        #expect(calendar.isWorkingDay(CalendarDate("2026-10-08")!.adding(days: -2)))
    }

    @Test("a 调休 day that is not a weekend is refused, naming the file, the line and the key")
    func workingWeekendOnWeekday() {
        let text = """
            year = 2026
            [[holiday]]
            name = "国庆节"
            from = "2026-10-01"
            until = "2026-10-07"
            working_weekends = ["2026-10-09"]
            """
        #expect(throws: InvalidInput(field: "holiday[0].working_weekends", reason: "2026-10-09 is not a Saturday or Sunday", record: "china-2026.toml:6")) {
            try HolidayYear.parse(text, source: "china-2026.toml")
        }
    }

    @Test("a malformed date and a misspelt key are refused with the file and line")
    func malformedFile() throws {
        let badDate = """
            year = 2026
            [[holiday]]
            name = "元旦"
            from = "2026-01-01"
            until = "2026-13-03"
            """
        let dateError = try #require(throws: InvalidInput.self) { try HolidayYear.parse(badDate, source: "h.toml") }
        #expect(dateError.field == "holiday[0].until")
        #expect(dateError.record == "h.toml:5")
        let misspelt = "year = 2026\nnotise = \"国办\"\nholiday = []\n"
        let keyError = try #require(throws: InvalidInput.self) { try HolidayYear.parse(misspelt, source: "h.toml") }
        #expect(keyError.field == "notise")
        #expect(keyError.record == "h.toml:2")
    }

    @Test("a holiday outside its file's year is refused")
    func holidayOutsideYear() {
        let text = "year = 2026\n[[holiday]]\nname = \"元旦\"\nfrom = \"2027-01-01\"\nuntil = \"2027-01-01\"\n"
        #expect(throws: InvalidInput.self) { try HolidayYear.parse(text, source: "h.toml") }
    }

    @Test("the built-in 2026 calendar is the shipped Calendar/china-2026.toml, which has every day of the notice")
    func shippedFileMatchesBuiltIn() throws {
        let file = try SampleDocuments.text(WorkingDayCalendar.shippedSource)
        #expect(file.trimmingCharacters(in: .newlines) == WorkingDayCalendar.shippedText.trimmingCharacters(in: .newlines))
        let parsed = try WorkingDayCalendar(years: [HolidayYear.parse(file, source: WorkingDayCalendar.shippedSource)])
        let off = ["01-01", "01-02", "01-03", "02-15", "02-23", "04-04", "04-06", "05-01", "05-05", "06-19", "06-21", "09-25", "09-27", "10-01", "10-07"]
        let worked = ["01-04", "02-14", "02-28", "05-09", "09-20", "10-10"]
        for day in off { #expect(!parsed.isWorkingDay(CalendarDate("2026-\(day)")!), "2026-\(day)") }
        for day in worked { #expect(parsed.isWorkingDay(CalendarDate("2026-\(day)")!), "2026-\(day)") }
        #expect(parsed.isWorkingDay(CalendarDate("2026-10-08")!))
    }
}
