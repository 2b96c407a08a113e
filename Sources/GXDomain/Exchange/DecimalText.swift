/// A decimal number held as its digits and the position of the decimal point, so that scaling
/// (万元 → 元) is moving the point and no amount is ever rounded through binary floating point.
struct DecimalText: Sendable, Hashable {
    var negative: Bool
    /// ASCII digits, integer part then fraction.
    var digits: [UInt8]
    /// How many of `digits` come before the decimal point; may be negative or exceed `digits.count`
    /// after a shift, and is normalised when the text is written.
    var point: Int

    /// Reads a number as local systems write it: optional `+`/`-`, leading and trailing zeros,
    /// `.5` or `5.`, and thousands separators `1,234,567.5` (groups of three). No exponent.
    init?(local text: String) {
        guard let parsed = IdentifierText.withUTF8(text, { Self.parse($0) }) else { return nil }
        self = parsed
    }

    init(negative: Bool, digits: [UInt8], point: Int) {
        self.negative = negative
        self.digits = digits
        self.point = point
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> DecimalText? {
        var index = 0
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        var digits: [UInt8] = []
        digits.reserveCapacity(bytes.count)
        // Integer part, with optional thousands separators in groups of three.
        var groupLength = 0
        var sawSeparator = false
        while index < bytes.count {
            let byte = bytes[index]
            if IdentifierText.isDigit(byte) {
                digits.append(byte)
                groupLength += 1
            } else if byte == UInt8(ascii: ",") {
                guard groupLength > 0, sawSeparator ? groupLength == 3 : groupLength <= 3 else { return nil }
                sawSeparator = true
                groupLength = 0
            } else {
                break
            }
            index += 1
        }
        if sawSeparator, groupLength != 3 { return nil }
        let point = digits.count
        if index < bytes.count {
            guard bytes[index] == UInt8(ascii: ".") else { return nil }
            index += 1
            while index < bytes.count {
                guard IdentifierText.isDigit(bytes[index]) else { return nil }
                digits.append(bytes[index])
                index += 1
            }
        }
        guard !digits.isEmpty else { return nil }
        return DecimalText(negative: negative, digits: digits, point: point)
    }

    /// The number × 10^`exponent`.
    func shifted(by exponent: Int) -> DecimalText {
        DecimalText(negative: negative, digits: digits, point: point + exponent)
    }

    /// Whether the fraction is zero, so the number is an integer.
    var isWhole: Bool {
        point >= digits.count || digits[max(point, 0)...].allSatisfy { $0 == UInt8(ascii: "0") }
    }

    /// The catalogue's form: `-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?`, and `0` rather than `-0`.
    var canonical: String {
        // Pad so the point falls inside the digits, then cut leading and trailing zeros.
        var all = digits
        var point = self.point
        if point < 0 {
            all.insert(contentsOf: repeatElement(UInt8(ascii: "0"), count: -point), at: 0)
            point = 0
        }
        if point > all.count { all.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: point - all.count)) }
        var start = 0
        while start < point, all[start] == UInt8(ascii: "0") { start += 1 }
        var end = all.count
        while end > point, all[end - 1] == UInt8(ascii: "0") { end -= 1 }
        var out: [UInt8] = []
        out.reserveCapacity(end - start + 3)
        if start == point && end == point { return "0" }
        if negative { out.append(UInt8(ascii: "-")) }
        if start == point { out.append(UInt8(ascii: "0")) } else { out.append(contentsOf: all[start..<point]) }
        if end > point {
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: all[point..<end])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
