/// How an agreement hides part of an item from its consumer (脱敏). The hub applies it while it projects
/// each delivery, so the consumer never receives the clear value; the mask is part of the signed terms.
///
/// - `keep:H,T` keeps the first H and the last T characters of a text item and writes `*` for each one
///   between: `keep:6,4` turns `110105199001010123` into `110105********0123`. Characters are counted as a
///   reader counts them (`张三丰` under `keep:1,0` is `张**`). A value no longer than H + T would show
///   everything, so all of it becomes `*`: a mask never lets a whole value through.
/// - `year` keeps only the year of a date or date-time item: `1990-01-01` becomes `1990`.
public enum ItemMask: Sendable, Hashable, Codable, CustomStringConvertible {
    case keep(head: Int, tail: Int)
    case year

    /// The written forms, for error messages.
    public static let forms = "'keep:H,T' (keep the first H and last T characters, each 0 to 64) or 'year'"

    /// Parses `keep:6,4` or `year`; nil for anything else.
    public init?(_ text: String) {
        if text == "year" {
            self = .year
            return
        }
        guard text.hasPrefix("keep:") else { return nil }
        let counts = text.dropFirst(5).split(separator: ",", omittingEmptySubsequences: false)
        guard counts.count == 2, let head = Self.count(counts[0]), let tail = Self.count(counts[1]) else { return nil }
        self = .keep(head: head, tail: tail)
    }

    private static func count(_ text: Substring) -> Int? {
        guard (1...2).contains(text.count), text.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(text), value <= 64 else { return nil }
        return value
    }

    public var description: String {
        switch self {
        case let .keep(head, tail): return "keep:\(head),\(tail)"
        case .year: return "year"
        }
    }

    /// The item types the mask can be applied to: text for `keep`, dates and date-times for `year`.
    public var appliesTo: Set<ItemType> {
        switch self {
        case .keep: return [.string]
        case .year: return [.date, .datetime]
        }
    }

    /// The masked value.
    public func apply(to value: String) -> String {
        switch self {
        case let .keep(head, tail):
            let count = value.count
            guard count > head + tail else { return String(repeating: "*", count: count) }
            return String(value.prefix(head)) + String(repeating: "*", count: count - head - tail) + String(value.suffix(tail))
        case .year:
            // Checked values are `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS`; anything else shows no digit.
            let year = value.prefix(4)
            guard year.count == 4, year.allSatisfy({ $0.isASCII && $0.isNumber }) else { return "****" }
            return String(year)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let mask = ItemMask(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a mask: use \(Self.forms)")
        }
        self = mask
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
