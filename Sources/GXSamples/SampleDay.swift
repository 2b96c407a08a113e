import GXDomain

/// A calendar day counted from 1970-01-01, so samples can draw dates uniformly from a range and
/// write them the ways local exports do. Civil-date arithmetic after Howard Hinnant's algorithms.
struct SampleDay: Sendable, Comparable {
    let number: Int

    init(_ number: Int) { self.number = number }

    init(year: Int, month: Int, day: Int) {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        number = era * 146_097 + dayOfEra - 719_468
    }

    var date: (year: Int, month: Int, day: Int) {
        let z = number + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// A uniformly drawn day in `first...last`.
    static func random(_ first: SampleDay, _ last: SampleDay, _ random: inout SampleRandom) -> SampleDay {
        SampleDay(random.int(in: first.number...last.number))
    }

    /// `19800101`, as 公安 systems write dates.
    var compact: String {
        let (year, month, day) = date
        return SampleText.pad(year, 4) + SampleText.pad(month, 2) + SampleText.pad(day, 2)
    }

    /// `1980-01-01`
    var dashed: String {
        let (year, month, day) = date
        return SampleText.pad(year, 4) + "-" + SampleText.pad(month, 2) + "-" + SampleText.pad(day, 2)
    }

    /// `1980/1/1`, Excel's default text for a date cell.
    var excel: String {
        let (year, month, day) = date
        return "\(year)/\(month)/\(day)"
    }

    /// Age in whole years on `day`.
    func age(on day: SampleDay) -> Int {
        let (birthYear, birthMonth, birthDay) = date
        let (year, month, dayOfMonth) = day.date
        return year - birthYear - ((month, dayOfMonth) < (birthMonth, birthDay) ? 1 : 0)
    }

    static func < (a: SampleDay, b: SampleDay) -> Bool { a.number < b.number }
}
