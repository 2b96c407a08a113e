/// Decoding errors in words a client can act on: the field's path (`items[2].name`) and what was wrong,
/// never Swift's own description (`CodingKeys(stringValue: …)`, type names).
extension DecodingError {
    /// The JSON path of the field at fault, or nil for the document as a whole.
    public var fieldPath: String? {
        let keys: [any CodingKey]
        switch self {
        case let .keyNotFound(key, context): keys = context.codingPath + [key]
        case let .typeMismatch(_, context), let .valueNotFound(_, context), let .dataCorrupted(context): keys = context.codingPath
        @unknown default: keys = []
        }
        let path = keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        return path.isEmpty ? nil : path
    }

    public var plainReason: String {
        switch self {
        case .keyNotFound: return "missing field"
        case let .typeMismatch(type, _): return "wrong type, expected \(Self.jsonKind(type))"
        case let .valueNotFound(type, _): return "missing value, expected \(Self.jsonKind(type))"
        case let .dataCorrupted(context):
            if fieldPath == nil { return "not valid JSON" }
            // Our own types explain themselves ("expected a date YYYY-MM-DD, …"); Swift's enums do not.
            let text = context.debugDescription
            return text.contains("Cannot initialize") || text.contains("CodingKeys") || text.isEmpty ? "not an allowed value" : text
        @unknown default: return "not a valid document"
        }
    }

    static func jsonKind(_ type: Any.Type) -> String {
        let name = String(describing: type)
        if name.hasPrefix("Array") || name.hasPrefix("[") { return "an array" }
        if name.hasPrefix("Dictionary") || name.contains(":") { return "an object" }
        if name == "String" || name == "Substring" { return "text" }
        if name == "Bool" { return "true or false" }
        if ["Int", "Int64", "Int32", "UInt", "UInt64", "Double", "Float", "Decimal"].contains(name) { return "a number" }
        return "another kind of value"
    }
}
