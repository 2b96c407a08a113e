import Foundation

extension Timestamp {
    /// The last millisecond an inclusive upper bound a person typed covers, at the precision written (the
    /// hub keeps instants to the millisecond): a bare date (`2026-11-30`) covers that whole day in China
    /// Standard Time, a time without a fraction (`2026-11-30T23:59:59Z`) that whole second, a fraction
    /// (`….5Z`, `….250Z`) its last digit's span. Accepts what `instant(from:)` accepts; nil otherwise.
    public static func lastInstant(through text: String) -> Date? {
        guard let start = instant(from: text) else { return nil }
        let b = Array(text.utf8)
        let span: Double
        if b.count == 10 {
            span = 86_400
        } else if b.count > 19, b[19] == 0x2E {
            let digits = b[20...].prefix { $0 >= 0x30 && $0 <= 0x39 }.count
            span = pow(10, -Double(digits))
        } else {
            span = 1
        }
        // The millisecond before the span ends; the hundredth of a millisecond of slack absorbs binary fractions.
        let last = ((start.timeIntervalSince1970 + span) * 1000 - 0.01).rounded(.up) - 1
        // A tenth of a millisecond in, so that rounding down to the millisecond gives `last` back.
        return Date(timeIntervalSince1970: (last + 0.1) / 1000)
    }
}
