import Foundation
import TOMLKit

/// Reads the TOML files admins keep in version control (agreements, catalogue entries, agency lists)
/// and turns every failure into an `InvalidInput` naming the file, the line where it can be found,
/// and the field.
public enum TOMLDocument {
    public static func decode<T: Decodable>(_ type: T.Type, from text: String, source: String) throws(InvalidInput) -> T {
        try checkTableHeaders(text, source: source)
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
            let steps = path.map { $0.intValue.map(PathStep.index) ?? .key($0.stringValue) }
            throw InvalidInput(field: field.isEmpty ? "document" : field, reason: reason, record: located(source, path: steps, in: text))
        } catch {
            throw InvalidInput(field: "document", reason: "\(error)", record: source)
        }
    }

    /// Decodes a document and checks it with `check` (an entry's or agreement's own validation), naming the
    /// file and line of a failed check as a failed decode does: `items[3].level` is found in the fourth
    /// `[[items]]` table, or at that table's header when the field is missing.
    public static func decode<T: Decodable>(_ type: T.Type, from text: String, source: String,
                                            checking check: (T) throws(InvalidInput) -> T) throws(InvalidInput) -> T {
        let document = try decode(type, from: text, source: source)
        do {
            return try check(document)
        } catch {
            let at = located(source, path: PathStep.parse(error.field), in: text)
            throw InvalidInput(field: error.field, reason: error.reason, record: error.record.map { "\(at) (\($0))" } ?? at)
        }
    }

    /// One step of a field's path: a key, or a position in an array of tables.
    enum PathStep: Equatable {
        case key(String)
        case index(Int)

        /// `items[3].level` → items, 3, level.
        static func parse(_ field: String) -> [PathStep] {
            var steps: [PathStep] = []
            for part in field.split(separator: ".") {
                var name = Substring(part)
                var indices: [Int] = []
                while name.hasSuffix("]"), let open = name.lastIndex(of: "["), let index = Int(name[name.index(after: open)..<name.index(before: name.endIndex)]) {
                    indices.insert(index, at: 0)
                    name = name[..<open]
                }
                if !name.isEmpty { steps.append(.key(String(name))) }
                steps += indices.map(PathStep.index)
            }
            return steps
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
        located(source, path: key.map { [PathStep.key($0)] } ?? [], in: text)
    }

    /// `source:line` of the line assigning the path's last key. A key followed by a position (`items`, 3) moves
    /// the search into that `[[items]]` table; a key missing from it is placed at the table's header. Just
    /// `source` when the line cannot be found.
    static func located(_ source: String, path: [PathStep], in text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.drop(while: { $0 == " " || $0 == "\t" }) }
        func assigns(_ line: Substring, _ key: String) -> Bool {
            line.hasPrefix(key + " ") || line.hasPrefix(key + "=") || line.hasPrefix("\"\(key)\"")
                || line.hasPrefix("[\(key)]") || line.hasPrefix("[[\(key)]]")
        }
        // The lines searched: the whole document, then each array table entered, up to its next sibling.
        var range = 0..<lines.count
        var header: Int?
        var sought: String?
        var step = 0
        while step < path.count {
            defer { step += 1 }
            guard case let .key(key) = path[step] else { continue }
            if step + 1 < path.count, case let .index(position) = path[step + 1] {
                let headers = range.filter { lines[$0].hasPrefix("[[\(key)]]") }
                // A plain array (`items = [...]`): its elements are on the key's line.
                guard !headers.isEmpty else { sought = key; continue }
                guard position < headers.count else { break }
                let end = position + 1 < headers.count ? headers[position + 1] : range.upperBound
                header = headers[position]
                range = headers[position]..<end
                sought = nil
                step += 1
                continue
            }
            sought = key
        }
        if let sought, let found = range.first(where: { assigns(lines[$0], sought) }) { return "\(source):\(found + 1)" }
        return header.map { "\(source):\($0 + 1)" } ?? source
    }
}
