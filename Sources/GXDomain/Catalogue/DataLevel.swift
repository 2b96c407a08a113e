/// An item's data level after GB/T 43697-2024 (数据安全技术 数据分类分级规则): 核心, 重要 or 一般, written
/// alone or followed by an operator's own sub-level after a slash (`一般/2`, `重要/个人敏感`). The grade
/// sets the rules — an agreement sharing an item above 一般 is filed only when the authority acknowledges
/// those levels — and the sub-level is carried and shown, so an operator may grade more finely without
/// the hub having to know the scheme.
public struct DataLevel: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The three grades of the standard, lowest first.
    public enum Grade: String, Sendable, Hashable, CaseIterable, Comparable {
        case general = "一般"
        case important = "重要"
        case core = "核心"

        public static func < (lhs: Grade, rhs: Grade) -> Bool { allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)! }
    }

    public let grade: Grade
    public let subLevel: String?

    /// What a sub-level may be: 1 to 16 letters (any script), digits, `-`, `_` or `.`.
    public static let rule = "核心, 重要 or 一般, optionally followed by '/' and a sub-level of 1 to 16 letters, digits, '-', '_' or '.' (一般/2)"

    public init(grade: Grade, subLevel: String? = nil) {
        self.grade = grade
        self.subLevel = subLevel
    }

    /// Parses `核心`, `重要/A` …; nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let grade = Grade(rawValue: String(parts[0])) else { return nil }
        if parts.count == 2 {
            let sub = parts[1]
            guard (1...16).contains(sub.count),
                  sub.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else { return nil }
            self.init(grade: grade, subLevel: String(sub))
        } else {
            self.init(grade: grade)
        }
    }

    /// Above 一般: sharing it needs the authority's explicit acknowledgement when the agreement is filed.
    public var isAboveGeneral: Bool { grade > .general }

    public var description: String { subLevel.map { "\(grade.rawValue)/\($0)" } ?? grade.rawValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let level = DataLevel(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a data level: \(Self.rule)")
        }
        self = level
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
