/// One year's public holidays as the State Council's notice sets them, the form of a calendar file:
///
/// ```toml
/// year = 2026
/// notice = "国务院办公厅关于2026年部分节假日安排的通知"
/// [[holiday]]
/// name = "国庆节"
/// from = "2026-10-01"
/// until = "2026-10-07"
/// working_weekends = ["2026-09-20", "2026-10-10"]
/// ```
public struct HolidayYear: Codable, Sendable, Hashable {
    public struct Holiday: Codable, Sendable, Hashable {
        public var name: String
        public var from: CalendarDate
        public var until: CalendarDate
        /// Saturdays and Sundays worked in exchange (调休上班).
        public var workingWeekends: [CalendarDate]

        public init(name: String, from: CalendarDate, until: CalendarDate, workingWeekends: [CalendarDate] = []) {
            self.name = name
            self.from = from
            self.until = until
            self.workingWeekends = workingWeekends
        }

        enum CodingKeys: String, CodingKey { case name, from, until, workingWeekends = "working_weekends" }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            from = try c.decode(CalendarDate.self, forKey: .from)
            until = try c.decode(CalendarDate.self, forKey: .until)
            workingWeekends = try c.decodeIfPresent([CalendarDate].self, forKey: .workingWeekends) ?? []
        }
    }

    public var year: Int
    public var notice: String?
    public var holiday: [Holiday]

    public init(year: Int, notice: String? = nil, holiday: [Holiday]) {
        self.year = year
        self.notice = notice
        self.holiday = holiday
    }

    /// Reads a calendar file; a mistake is refused naming the file, the line and the key.
    public static func parse(_ text: String, source: String) throws(InvalidInput) -> HolidayYear {
        let year = try TOMLDocument.decode(HolidayYear.self, from: text, source: source)
        do throws(InvalidInput) {
            return try year.validated()
        } catch {
            throw InvalidInput(field: error.field, reason: error.reason, record: located(error.field, source: source, in: text))
        }
    }

    /// `source:line` of `holiday[N].key`: the key's first line after the N-th `[[holiday]]` table.
    static func located(_ field: String, source: String, in text: String) -> String {
        let parts = field.split(separator: ".")
        guard parts.count == 2, parts[0].hasPrefix("holiday["), let index = Int(parts[0].dropFirst(8).dropLast()) else {
            return TOMLDocument.located(source, key: String(parts.last ?? ""), in: text)
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var tables = -1
        for (number, line) in lines.enumerated() {
            let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
            if trimmed.hasPrefix("[[holiday]]") { tables += 1; continue }
            if tables == index, trimmed.hasPrefix(parts[1] + " ") || trimmed.hasPrefix(parts[1] + "=") {
                return "\(source):\(number + 1)"
            }
        }
        return source
    }

    /// Refuses holidays outside the year, ranges that end before they start, and 调休 days that are not weekends.
    public func validated() throws(InvalidInput) -> HolidayYear {
        guard (1949...9999).contains(year) else { throw InvalidInput(field: "year", reason: "expected a year such as 2026") }
        for (index, holiday) in self.holiday.enumerated() {
            let field = "holiday[\(index)]"
            guard holiday.from.year == year, holiday.until.year == year else {
                throw InvalidInput(field: "\(field).from", reason: "\(holiday.name) (\(holiday.from)…\(holiday.until)) is not within \(year)")
            }
            guard holiday.from <= holiday.until else {
                throw InvalidInput(field: "\(field).until", reason: "\(holiday.until) is before from \(holiday.from)")
            }
            guard holiday.until.dayNumber - holiday.from.dayNumber < 31 else {
                throw InvalidInput(field: "\(field).until", reason: "a holiday of more than 31 days is a mistake")
            }
            for day in holiday.workingWeekends where !day.isWeekend {
                throw InvalidInput(field: "\(field).working_weekends", reason: "\(day) is not a Saturday or Sunday")
            }
        }
        return self
    }
}
