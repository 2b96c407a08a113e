/// What JSONDecoder lets through and the hub refuses in a request body: an object naming a key twice (which
/// of the two counts would be the decoder's choice, not the sender's), a string holding NUL (no database
/// stores it) and nesting deeper than any API document needs. Syntax errors are left to the decoder.
package enum JSONBodyCheck {
    static let maximumDepth = 32

    package struct Problem: Equatable {
        let message: String
        let field: String?
    }

    private enum Frame {
        case object(path: String, keys: Set<String>, key: String?, expectingKey: Bool)
        case array(path: String, index: Int)

        var path: String {
            switch self {
            case let .object(path, _, _, _), let .array(path, _): path
            }
        }

        /// The path of the value being read inside this container.
        var valuePath: String {
            switch self {
            case let .object(path, _, key, _): path.isEmpty ? (key ?? "") : "\(path).\(key ?? "")"
            case let .array(path, index): "\(path)[\(index)]"
            }
        }
    }

    package static func problem(in bytes: [UInt8]) -> Problem? {
        var stack: [Frame] = []
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard stack.count < maximumDepth else {
                    return Problem(message: "the document is nested deeper than \(maximumDepth) levels", field: stack.last?.valuePath)
                }
                let path = stack.last?.valuePath ?? ""
                stack.append(byte == UInt8(ascii: "{") ? .object(path: path, keys: [], key: nil, expectingKey: true) : .array(path: path, index: 0))
                i += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard !stack.isEmpty else { return nil }
                stack.removeLast()
                i += 1
            case UInt8(ascii: ","):
                switch stack.last {
                case let .object(path, keys, _, _)?: stack[stack.count - 1] = .object(path: path, keys: keys, key: nil, expectingKey: true)
                case let .array(path, index)?: stack[stack.count - 1] = .array(path: path, index: index + 1)
                case nil: return nil
                }
                i += 1
            case UInt8(ascii: "\""):
                guard let (text, end) = string(in: bytes, from: i + 1) else { return nil }
                i = end
                if case let .object(path, keys, _, true)? = stack.last {
                    guard !keys.contains(text) else {
                        return Problem(message: "the key '\(text)' appears twice", field: path.isEmpty ? text : "\(path).\(text)")
                    }
                    stack[stack.count - 1] = .object(path: path, keys: keys.union([text]), key: text, expectingKey: false)
                } else if text.utf8.contains(0) {
                    return Problem(message: "the text contains a NUL character", field: stack.last?.valuePath)
                }
            default:
                i += 1
            }
        }
        return nil
    }

    /// The unescaped string starting after its opening quote, and the index after its closing quote.
    private static func string(in bytes: [UInt8], from start: Int) -> (String, Int)? {
        var scalars = String.UnicodeScalarView()
        var raw: [UInt8] = []
        var i = start
        func flush() {
            scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars)
            raw.removeAll(keepingCapacity: true)
        }
        func hex(_ at: Int) -> UInt32? {
            guard at + 4 <= bytes.count, let value = UInt32(String(decoding: bytes[at..<at + 4], as: UTF8.self), radix: 16) else { return nil }
            return value
        }
        while i < bytes.count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "\"") {
                flush()
                return (String(scalars), i + 1)
            }
            guard byte == UInt8(ascii: "\\") else {
                raw.append(byte)
                i += 1
                continue
            }
            guard i + 1 < bytes.count else { return nil }
            flush()
            let escape = bytes[i + 1]
            i += 2
            switch escape {
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "u"):
                guard var value = hex(i) else { return nil }
                i += 4
                if (0xD800..<0xDC00).contains(value), i + 6 <= bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u"),
                   let low = hex(i + 2), (0xDC00..<0xE000).contains(low) {
                    value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                }
                scalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
            default: scalars.append(Unicode.Scalar(escape))
            }
        }
        return nil
    }
}
