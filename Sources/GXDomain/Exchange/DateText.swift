/// Reading the date forms local systems export, and writing the catalogue's `YYYY-MM-DD`.
enum DateText {
    /// `YYYY-MM-DD` for a real date, `nil` otherwise.
    static func canonical(year: Int, month: Int, day: Int) -> String? {
        guard CanonicalForm.isRealDate(year: year, month: month, day: day) else { return nil }
        // Written straight into the string's storage (ten ASCII bytes, kept inline): no array on the way.
        return String(unsafeUninitializedCapacity: 10) { out in
            func put(_ value: Int, _ start: Int, _ width: Int) {
                var value = value
                for index in stride(from: start + width - 1, through: start, by: -1) {
                    out[index] = UInt8(truncatingIfNeeded: value % 10) + UInt8(ascii: "0")
                    value /= 10
                }
            }
            put(year, 0, 4)
            out[4] = UInt8(ascii: "-")
            put(month, 5, 2)
            out[7] = UInt8(ascii: "-")
            put(day, 8, 2)
            return 10
        }
    }

    /// A date as spreadsheets export it: `2024/1/5`, `2024-1-5`, `2024.1.5`, `2024年1月5日`, each
    /// optionally followed by a midnight time (`0:00`, `00:00:00`) that date-formatted cells carry,
    /// or a serial day number (`45296`, `45296.0`).
    static func excelDate(_ text: String) -> String? {
        IdentifierText.withUTF8(text) { excelDate(utf8: $0) }
    }

    static func excelDate(utf8 bytes: UnsafeBufferPointer<UInt8>) -> String? {
        if let date = excelSerial(bytes) { return date }
        return excelText(bytes)
    }

    static let year: [UInt8] = Array("年".utf8)
    static let month: [UInt8] = Array("月".utf8)
    static let day: [UInt8] = Array("日".utf8)

    static func excelText(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var index = 0
        func digits(_ minimum: Int, _ maximum: Int) -> Int? {
            var value = 0, count = 0
            while index < bytes.count, count < maximum, IdentifierText.isDigit(bytes[index]) {
                value = value * 10 + Int(bytes[index] - 0x30)
                index += 1
                count += 1
            }
            return count >= minimum ? value : nil
        }
        func literal(_ expected: [UInt8]) -> Bool {
            guard index + expected.count <= bytes.count else { return false }
            for offset in expected.indices where bytes[index + offset] != expected[offset] { return false }
            index += expected.count
            return true
        }
        guard let y = digits(4, 4), index < bytes.count else { return nil }
        let m: Int, d: Int
        let separator = bytes[index]
        if separator == UInt8(ascii: "/") || separator == UInt8(ascii: "-") || separator == UInt8(ascii: ".") {
            index += 1
            guard let month = digits(1, 2), literal([separator]), let day = digits(1, 2) else { return nil }
            m = month
            d = day
        } else {
            guard literal(year), let month = digits(1, 2), literal(self.month), let day = digits(1, 2) else { return nil }
            _ = literal(self.day)
            m = month
            d = day
        }
        guard isMidnight(bytes, from: index) else { return nil }
        return canonical(year: y, month: m, day: d)
    }

    /// Nothing, or whitespace then `H:MM` / `H:MM:SS` with every field zero.
    static func isMidnight(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Bool {
        guard start < bytes.count else { return true }
        var index = start
        while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "T") { index += 1 }
        guard index > start, index < bytes.count else { return false }
        var fields = 0, fieldLength = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "0"): fieldLength += 1
            case UInt8(ascii: ":"):
                guard fieldLength > 0 else { return false }
                fields += 1
                fieldLength = 0
            default: return false
            }
            index += 1
        }
        return fieldLength > 0 && (fields == 1 || fields == 2)
    }

    /// Excel's serial day numbers: 1 = 1900-01-01, with Lotus 1-2-3's phantom 1900-02-29 at 60 (refused:
    /// the day does not exist); from 61 on, day n is 1899-12-30 + n. A fraction is a time of day, so only
    /// a zero fraction is a date.
    static func excelSerial(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var index = 0, serial = 0
        while index < bytes.count, IdentifierText.isDigit(bytes[index]) {
            serial = serial * 10 + Int(bytes[index] - 0x30)
            index += 1
            if serial > maximumSerial { return nil }
        }
        guard index > 0 else { return nil }
        if index < bytes.count {
            guard bytes[index] == UInt8(ascii: "."), index + 1 < bytes.count else { return nil }
            for offset in (index + 1)..<bytes.count where bytes[offset] != UInt8(ascii: "0") { return nil }
        }
        guard serial >= 1, serial != 60 else { return nil }
        // Days since 1970-01-01: serial 25569 is that day.
        let days = serial < 60 ? serial - 25568 : serial - 25569
        let (y, m, d) = civil(fromDays: days)
        return canonical(year: y, month: m, day: d)
    }

    /// 9999-12-31, the last day Excel can show.
    static let maximumSerial = 2_958_465

    /// Civil-from-days (Howard Hinnant), proleptic Gregorian, day 0 = 1970-01-01.
    static func civil(fromDays value: Int) -> (year: Int, month: Int, day: Int) {
        let days = value + 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let doe = days - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
