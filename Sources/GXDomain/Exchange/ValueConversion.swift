/// How a local value is turned into the catalogue's canonical form (provider side) and back (consumer
/// side). Written in a mapping as a TOML string:
///
/// | TOML                              | local value                          | catalogue value        |
/// |-----------------------------------|--------------------------------------|------------------------|
/// | `"date:YYYYMMDD"`                 | `20240105`                           | `2024-01-05`           |
/// | `"date:YYYY-MM-DD"`               | `2024-01-05`                         | `2024-01-05`           |
/// | `"date:excel"`                    | `2024/1/5`, `2024-1-5`, `2024年1月5日`, serial `45296` | `2024-01-05` |
/// | `"datetime:YYYY-MM-DD HH:MM:SS"`  | `2024-01-05 08:30:00`                | `2024-01-05T08:30:00`  |
/// | `"decimal:万元"`                   | `1.5` (万元)                          | `15000` (元)            |
/// | `"decimal:元"`                     | `1,234.50`                           | `1234.5`               |
/// | `"integer"`                       | `007`, `+7`, `7.0`                   | `7`                    |
///
/// Also `"decimal:千元"` (×1 000) and `"decimal:亿元"` (×100 000 000). Decimals are scaled by moving the
/// decimal point in the text, never through `Double`, so no amount changes by a fen.
/// On the consumer side `date:excel` writes Excel's default text form `2024/1/5`.
public enum ValueConversion: Sendable, Hashable, Decodable, CustomStringConvertible {
    /// `date:YYYYMMDD`
    case dateCompact
    /// `date:YYYY-MM-DD`: checked to be a real date, then passed on.
    case dateDashed
    /// `date:excel`: what spreadsheets export, as text or as a serial day number.
    case dateExcel
    /// `datetime:YYYY-MM-DD HH:MM:SS`
    case dateTimeSpaced
    /// `decimal:<unit>`: the local value is in 10^`exponent` 元; the catalogue's amounts are in 元.
    case decimal(exponent: Int)
    /// `integer`: leading zeros, `+` and a zero fraction are dropped.
    case integer

    /// The decimal units a mapping may name, with their power of ten relative to 元.
    public static let decimalUnits: [(unit: String, exponent: Int)] = [("元", 0), ("千元", 3), ("万元", 4), ("亿元", 8)]

    /// Every spelling accepted in a mapping, for error messages.
    public static var spellings: [String] {
        ["date:YYYYMMDD", "date:YYYY-MM-DD", "date:excel", "datetime:YYYY-MM-DD HH:MM:SS"]
            + decimalUnits.map { "decimal:\($0.unit)" } + ["integer"]
    }

    /// Parses the TOML spelling; `nil` for anything else.
    public init?(text: String) {
        switch text {
        case "date:YYYYMMDD": self = .dateCompact
        case "date:YYYY-MM-DD": self = .dateDashed
        case "date:excel": self = .dateExcel
        case "datetime:YYYY-MM-DD HH:MM:SS": self = .dateTimeSpaced
        case "integer": self = .integer
        default:
            guard text.hasPrefix("decimal:"),
                  let unit = Self.decimalUnits.first(where: { "decimal:\($0.unit)" == text })
            else { return nil }
            self = .decimal(exponent: unit.exponent)
        }
    }

    /// The TOML spelling.
    public var text: String {
        switch self {
        case .dateCompact: "date:YYYYMMDD"
        case .dateDashed: "date:YYYY-MM-DD"
        case .dateExcel: "date:excel"
        case .dateTimeSpaced: "datetime:YYYY-MM-DD HH:MM:SS"
        case .integer: "integer"
        case .decimal(let exponent):
            Self.decimalUnits.first { $0.exponent == exponent }.map { "decimal:\($0.unit)" } ?? "decimal:10^\(exponent)元"
        }
    }

    public var description: String { text }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let conversion = ValueConversion(text: text) else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "unknown conversion '\(text)'; use one of: \(Self.spellings.joined(separator: ", "))"
            ))
        }
        self = conversion
    }

    /// The catalogue item types this conversion produces values for.
    public var itemTypes: Set<ItemType> {
        switch self {
        case .dateCompact, .dateDashed, .dateExcel: [.date]
        case .dateTimeSpaced: [.datetime]
        case .decimal: [.decimal, .integer]
        case .integer: [.integer, .decimal]
        }
    }
}
