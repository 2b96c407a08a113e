import Foundation
import TOMLKit

/// Reads the TOML files admins keep in version control (agreements, catalogue entries, agency lists)
/// and turns every failure into an `InvalidInput` naming the file, the line where it can be found,
/// and the field.
public enum TOMLDocument {
    public static func decode<T: Decodable>(_ type: T.Type, from text: String, source: String) throws(InvalidInput) -> T {
        do {
            return try TOMLDecoder(strictDecoding: true).decode(T.self, from: text)
        } catch let error as TOMLParseError {
            throw InvalidInput(field: "syntax", reason: error.description, record: "\(source):\(error.source.begin.line)")
        } catch let error as UnexpectedKeysError {
            let (key, path) = error.keys.sorted { $0.key < $1.key }.first!
            // TOMLKit's path may or may not end with the key itself.
            var names = path.map(\.stringValue).filter { !$0.isEmpty }
            if names.last != key { names.append(key) }
            let field = names.joined(separator: ".")
            throw InvalidInput(field: field, reason: "unknown field", record: located(source, key: key, in: text))
        } catch let error as DecodingError {
            let (path, reason) = describe(error)
            let field = path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
            let lastKey = path.last(where: { $0.intValue == nil })?.stringValue
            throw InvalidInput(field: field.isEmpty ? "document" : field, reason: reason, record: located(source, key: lastKey, in: text))
        } catch {
            throw InvalidInput(field: "document", reason: "\(error)", record: source)
        }
    }

    static func describe(_ error: DecodingError) -> ([any CodingKey], String) {
        switch error {
        case let .keyNotFound(key, context):
            return (context.codingPath + [key], "missing")
        case let .typeMismatch(type, context):
            return (context.codingPath, "expected \(typeName(type))")
        case let .valueNotFound(type, context):
            return (context.codingPath, "expected \(typeName(type))")
        case let .dataCorrupted(context):
            return (context.codingPath, context.debugDescription)
        @unknown default:
            return ([], "\(error)")
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "text"
        case is Int.Type, is Int64.Type: return "an integer"
        case is Bool.Type: return "true or false"
        default: return "\(type)"
        }
    }

    /// `source:line` of the first line assigning `key`, or just `source` when it cannot be found.
    static func located(_ source: String, key: String?, in text: String) -> String {
        guard let key else { return source }
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
            if trimmed.hasPrefix(key + " ") || trimmed.hasPrefix(key + "=") || trimmed.hasPrefix("\"\(key)\"")
                || trimmed.hasPrefix("[\(key)]") || trimmed.hasPrefix("[[\(key)]]") {
                return "\(source):\(index + 1)"
            }
        }
        return source
    }
}
