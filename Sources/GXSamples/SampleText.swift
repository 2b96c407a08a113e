import GXDomain

/// Formatting without Foundation (GXDomain does no I/O and needs no locale), plus the small
/// imperfections real exports carry.
enum SampleText {
    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// ASCII digits turned into full-width ones (`１３９…`), as typed with a Chinese input method.
    static func fullWidthDigits(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
            (0x30...0x39).contains(scalar.value) ? Unicode.Scalar(scalar.value + 0xFF10 - 0x30)! : scalar
        }))
    }

    /// `hundredths` / 100 in the catalogue's decimal form: `8950` → `89.5`, `9000` → `90`.
    static func canonicalDecimal(hundredths: Int) -> String {
        let whole = String(hundredths / 100)
        let fraction = hundredths % 100
        if fraction == 0 { return whole }
        return fraction % 10 == 0 ? whole + "." + String(fraction / 10) : whole + "." + pad(fraction, 2)
    }

    /// `units` / 10^`scale` with exactly `scale` decimals: (3250000_00, 2) → `3250000.00`.
    static func fixedDecimal(_ units: Int, scale: Int) -> String {
        var divisor = 1
        for _ in 0..<scale { divisor *= 10 }
        return String(units / divisor) + "." + pad(units % divisor, scale)
    }

    static let creditCodeAlphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")

    /// The digits of `value` in base 31 over the GB 32100 alphabet, `width` characters.
    static func base31(_ value: Int, width: Int) -> String {
        var remaining = value
        var characters: [Character] = []
        for _ in 0..<width {
            characters.append(creditCodeAlphabet[remaining % 31])
            remaining /= 31
        }
        return String(characters.reversed())
    }
}
