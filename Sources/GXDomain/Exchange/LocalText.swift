/// The clean-ups local data needs before it is mapped: Chinese input methods produce full-width
/// letters, digits and the ideographic space (U+3000), and exports pad fields with either kind of space.
enum LocalText {
    /// Full-width ASCII (U+FF01–U+FF5E) → half-width, U+3000 → space. Returns `text` itself (no
    /// allocation) when there is nothing to change, which is the common case.
    static func halfwidth(_ text: String) -> String {
        // Both ranges are encoded with lead byte 0xE3 (U+3000) or 0xEF (U+FF01–U+FF5E).
        guard text.utf8.contains(where: { $0 == 0xE3 || $0 == 0xEF }) else { return text }
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
        let scalars = text.unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, scalars[start].properties.isWhitespace { scalars.formIndex(after: &start) }
        while end > start, scalars[scalars.index(before: end)].properties.isWhitespace { scalars.formIndex(before: &end) }
        if start == scalars.startIndex, end == scalars.endIndex { return text }
        return String(scalars[start..<end])
    }
}
