import Foundation

/// Nights of exchange. A night begins at 12:00 Beijing time and runs to the next noon, and is named by the
/// day it begins on: a provider's run at 23:50 and its consumer's at 00:10 fall in one night.
extension CalendarDate {
    /// The night an instant falls in.
    public static func night(of instant: Date) -> CalendarDate {
        Timestamp.beijingDay(of: instant.addingTimeInterval(-12 * 3600))
    }

    /// The night of a stored timestamp (RFC 3339), nil if it is not one.
    public static func night(ofTimestamp text: String) -> CalendarDate? {
        Timestamp.instant(from: text).map(night(of:))
    }

    /// The instant this night begins: 12:00 Beijing time on this day.
    public var nightStart: Date { startInChina.addingTimeInterval(12 * 3600) }
}
