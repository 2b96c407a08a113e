extension ValueConversion {
    /// Provider side: the catalogue's canonical form of a local value, or `nil` when the value does not
    /// have the local form (the caller reports ``localRule``).
    public func catalogueValue(fromLocal local: String) -> String? {
        if case .dateDashed = self { return ItemType.date.formViolation(local) == nil ? local : nil }
        return IdentifierText.withUTF8(local) { catalogueValue(fromLocalUTF8: $0) }
    }

    /// `catalogueValue(fromLocal:)` of a local value given as its UTF-8 bytes (the provider's byte path).
    /// The usual results (dates, short numbers) fit in a `String`'s inline storage: nothing is allocated.
    func catalogueValue(fromLocalUTF8 bytes: UnsafeBufferPointer<UInt8>) -> String? {
        switch self {
        case .dateCompact:
            guard bytes.count == 8, let year = CanonicalForm.number(bytes, 0, 4), let month = CanonicalForm.number(bytes, 4, 2),
                  let day = CanonicalForm.number(bytes, 6, 2)
            else { return nil }
            return DateText.canonical(year: year, month: month, day: day)
        case .dateDashed:
            return CanonicalForm.isDate(bytes) ? String(decoding: bytes, as: UTF8.self) : nil
        case .dateExcel:
            return DateText.excelDate(utf8: bytes)
        case .dateTimeSpaced:
            guard bytes.count == 19, bytes[10] == UInt8(ascii: " "), CanonicalForm.isDate(bytes, at: 0), CanonicalForm.isTime(bytes, at: 11)
            else { return nil }
            var out = Array(bytes)
            out[10] = UInt8(ascii: "T")
            return String(decoding: out, as: UTF8.self)
        case .decimal(let exponent):
            // A value already in the catalogue's form needs no digits array when it is not scaled.
            if exponent == 0, CanonicalForm.isDecimal(bytes) { return String(decoding: bytes, as: UTF8.self) }
            return DecimalText.parse(bytes)?.shifted(by: exponent).canonical
        case .integer:
            if CanonicalForm.isInteger(bytes) { return String(decoding: bytes, as: UTF8.self) }
            guard let number = DecimalText.parse(bytes), number.isWhole else { return nil }
            return number.canonical
        }
    }

    /// Consumer side: the local form of a catalogue value, or `nil` when the catalogue value is not in
    /// the canonical form this conversion reads (the caller reports ``catalogueRule``).
    public func localValue(fromCatalogue value: String) -> String? {
        switch self {
        case .dateCompact:
            guard ItemType.date.formViolation(value) == nil else { return nil }
            return String(value.filter { $0 != "-" })
        case .dateDashed:
            return ItemType.date.formViolation(value) == nil ? value : nil
        case .dateExcel:
            guard let date = CalendarDate(value), CanonicalForm.isRealDate(year: date.year, month: date.month, day: date.day) else { return nil }
            return "\(date.year)/\(date.month)/\(date.day)"
        case .dateTimeSpaced:
            guard ItemType.datetime.formViolation(value) == nil else { return nil }
            var bytes = Array(value.utf8)
            bytes[10] = UInt8(ascii: " ")
            return String(decoding: bytes, as: UTF8.self)
        case .decimal(let exponent):
            guard ItemType.decimal.formViolation(value) == nil || ItemType.integer.formViolation(value) == nil,
                  let number = DecimalText(local: value)
            else { return nil }
            return number.shifted(by: -exponent).canonical
        case .integer:
            return ItemType.integer.formViolation(value) == nil ? value : nil
        }
    }

    /// What a local value that failed ``catalogueValue(fromLocal:)`` should have looked like.
    public var localRule: String {
        switch self {
        case .dateCompact: "not a date in YYYYMMDD"
        case .dateDashed: "not a date in YYYY-MM-DD"
        case .dateExcel: "not a date in Excel form (2024/1/5, 2024-1-5, 2024年1月5日 or a day number such as 45296)"
        case .dateTimeSpaced: "not a date and time in YYYY-MM-DD HH:MM:SS"
        case .decimal: "not a number in \(unitName) (such as 1234.5)"
        case .integer: "not an integer"
        }
    }

    /// What a catalogue value that failed ``localValue(fromCatalogue:)`` should have looked like.
    public var catalogueRule: String {
        switch self {
        case .dateCompact, .dateDashed, .dateExcel: "not a date (YYYY-MM-DD), cannot be converted by \(text)"
        case .dateTimeSpaced: "not a date and time (YYYY-MM-DDTHH:MM:SS), cannot be converted by \(text)"
        case .decimal: "not a decimal, cannot be converted by \(text)"
        case .integer: "not an integer"
        }
    }

    var unitName: String {
        guard case .decimal(let exponent) = self else { return "" }
        return Self.decimalUnits.first { $0.exponent == exponent }?.unit ?? "10^\(exponent)元"
    }
}
