import Foundation
import GXDomain

/// The working-day calendar `gx hub serve` counts deadlines with: the shipped years, then each `--calendar`
/// file in order (a file for a year already covered replaces it).
enum HubCalendarFiles {
    static func load(_ paths: [String]) throws -> WorkingDayCalendar {
        var calendar = WorkingDayCalendar.shipped()
        for path in paths {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw InvalidInput(field: "calendar", reason: "cannot read \(path)")
            }
            try calendar.adding(try HolidayYear.parse(text, source: path))
        }
        return calendar
    }
}
