/// The clean-ups local data needs before it is mapped: Chinese input methods produce full-width
/// letters, digits and the ideographic space (U+3000), and exports pad fields with either kind of space.
enum LocalText {
    /// `halfwidth` and then `trimmed`, as asked, in one look at the bytes for the usual value that needs
    /// neither: no byte that starts a full-width form or U+3000, and no white space possible at either end.
    static func cleaned(_ text: String, halfwidth: Bool, trim: Bool) -> String {
        var text = text
        let (wide, padded) = text.withUTF8 { bytes -> (Bool, Bool) in
            guard let first = bytes.first else { return (false, false) }
            var last = bytes.count - 1
            while last > 0, bytes[last] & 0xC0 == 0x80 { last -= 1 }
            return (halfwidth && bytes.contains { $0 == 0xE3 || $0 == 0xEF },
                    trim && (mayBeginWhiteSpace(first) || mayBeginWhiteSpace(bytes[last])))
        }
        if wide { text = Self.halfwidth(text) }
        if padded || (wide && trim) { text = trimmed(text) }
        return text
    }

    /// Full-width ASCII (U+FF01–U+FF5E) → half-width, U+3000 → space. Returns `text` itself (no
    /// allocation) when there is nothing to change, which is the common case.
    static func halfwidth(_ text: String) -> String {
        // Both ranges are encoded with lead byte 0xE3 (U+3000) or 0xEF (U+FF01–U+FF5E).
        var text = text
        guard text.withUTF8({ bytes in bytes.contains { $0 == 0xE3 || $0 == 0xEF } }) else { return text }
        var scalars = String.UnicodeScalarView()
        var changed = false
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0xFF01...0xFF5E:
                scalars.append(Unicode.Scalar(scalar.value - 0xFEE0)!)
                changed = true
            case 0x3000:
                scalars.append(" ")
                changed = true
            default:
                scalars.append(scalar)
            }
        }
        return changed ? String(scalars) : text
    }

    /// Without leading and trailing white space (Unicode White_Space, which includes U+3000, tabs and
    /// the carriage return of CRLF files).
    static func trimmed(_ text: String) -> String {
        // Most values start and end with a character whose first UTF-8 byte rules white space out (ASCII
        // letters and digits, CJK ideographs): answer those without looking up Unicode properties.
        let utf8 = text.utf8
        guard let first = utf8.first else { return text }
        var last = utf8.index(before: utf8.endIndex)
        while last > utf8.startIndex, utf8[last] & 0xC0 == 0x80 { last = utf8.index(before: last) }
        if !mayBeginWhiteSpace(first), !mayBeginWhiteSpace(utf8[last]) { return text }
        let scalars = text.unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, scalars[start].properties.isWhitespace { scalars.formIndex(after: &start) }
        while end > start, scalars[scalars.index(before: end)].properties.isWhitespace { scalars.formIndex(before: &end) }
        if start == scalars.startIndex, end == scalars.endIndex { return text }
        return String(scalars[start..<end])
    }

    /// `cleaned` decided on bytes, for the provider's byte path: where the cleaned value lies in `bytes`
    /// when cleaning only drops ASCII white space from the ends (or nothing), `nil` when the `String` path
    /// must decide — a full-width form or U+3000 to convert, or non-ASCII white space at an end.
    static func cleanedRange(_ bytes: UnsafeBufferPointer<UInt8>, halfwidth: Bool, trim: Bool) -> Range<Int>? {
        var start = 0, end = bytes.count
        if halfwidth {
            var index = 0
            while index < end {
                let byte = bytes[index]
                if byte == 0xE3 || byte == 0xEF, mayBeWide(bytes, at: index) { return nil }
                index += 1
            }
        }
        guard trim else { return start..<end }
        while start < end, isASCIIWhiteSpace(bytes[start]) { start += 1 }
        while end > start, isASCIIWhiteSpace(bytes[end - 1]) { end -= 1 }
        guard start < end else { return start..<end }
        var last = end - 1
        while last > start, bytes[last] & 0xC0 == 0x80 { last -= 1 }
        if mayBeNonASCIIWhiteSpace(bytes, at: start) || mayBeNonASCIIWhiteSpace(bytes, at: last) { return nil }
        return start..<end
    }

    /// Whether the scalar at `index` (lead byte 0xE3 or 0xEF) may be U+3000 or U+FF01–U+FF5E; true for all of
    /// U+FF00–U+FF7F.
    @inline(__always)
    private static func mayBeWide(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        guard index + 2 < bytes.count else { return false }
        if bytes[index] == 0xE3 { return bytes[index + 1] == 0x80 && bytes[index + 2] == 0x80 }
        return bytes[index + 1] == 0xBC || bytes[index + 1] == 0xBD
    }

    @inline(__always)
    private static func isASCIIWhiteSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }

    /// Whether the scalar whose UTF-8 encoding starts at `index` may be non-ASCII white space: true for every
    /// such scalar (U+0085, U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000), and for
    /// U+180E and the rest of U+2000–U+203F, to be safe.
    static func mayBeNonASCIIWhiteSpace(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        let count = bytes.count - index
        switch bytes[index] {
        case 0xC2: return count >= 2 && (bytes[index + 1] == 0x85 || bytes[index + 1] == 0xA0)
        case 0xE1:
            return count >= 3 && ((bytes[index + 1] == 0x9A && bytes[index + 2] == 0x80) || (bytes[index + 1] == 0xA0 && bytes[index + 2] == 0x8E))
        case 0xE2: return count >= 3 && (bytes[index + 1] == 0x80 || (bytes[index + 1] == 0x81 && bytes[index + 2] == 0x9F))
        case 0xE3: return count >= 3 && bytes[index + 1] == 0x80 && bytes[index + 2] == 0x80
        default: return false
        }
    }

    /// Whether a scalar whose UTF-8 encoding begins with `byte` can be white space: ASCII tab…carriage return
    /// and space, and the lead bytes of U+0085, U+00A0 (C2), U+1680 (E1), U+2000–U+205F (E2) and U+3000 (E3).
    private static func mayBeginWhiteSpace(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x09...0x0D, 0x20, 0xC2, 0xE1, 0xE2, 0xE3: return true
        default: return false
        }
    }
}
