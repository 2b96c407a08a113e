extension CanonicalJSON: Codable {
    /// Tries each JSON type in turn. Bool comes before Int64 so that a decoder which bridges
    /// numbers and booleans cannot turn `true` into 1; Foundation's `JSONDecoder` keeps them
    /// apart either way. Errors from inside an array or object (a nested fraction, say) are
    /// passed on with their path rather than read as "not an array".
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let depth = decoder.codingPath.count
        if container.decodeNil() {
            self = .null
            return
        }
        if let value = try Self.attempt(Bool.self, in: container, depth: depth) {
            self = .bool(value)
            return
        }
        do {
            self = .integer(try container.decode(Int64.self))
            return
        } catch DecodingError.typeMismatch(_, let context) where context.codingPath.count <= depth {
            // Not a number; try the other types.
        } catch {
            // A number that does not fit Int64: a fraction, an exponent or too many digits.
            throw Self.notAnInteger(container, decoder: decoder)
        }
        if let value = try Self.attempt(String.self, in: container, depth: depth) {
            self = .string(value)
        } else if let value = try Self.attempt([CanonicalJSON].self, in: container, depth: depth) {
            self = .array(value)
        } else if let value = try Self.attempt([String: CanonicalJSON].self, in: container, depth: depth) {
            self = .object(value)
        } else if (try? container.decode(Double.self)) != nil {
            throw Self.notAnInteger(container, decoder: decoder)
        } else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected null, a boolean, an integer, a string, an array or an object"
            )
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// `nil` when the value is of another type; errors from deeper down propagate.
    private static func attempt<T: Decodable>(
        _ type: T.Type, in container: any SingleValueDecodingContainer, depth: Int
    ) throws -> T? {
        do {
            return try container.decode(type)
        } catch DecodingError.typeMismatch(_, let context) where context.codingPath.count <= depth {
            return nil
        }
    }

    private static func notAnInteger(_ container: any SingleValueDecodingContainer, decoder: any Decoder) -> DecodingError {
        let shown = (try? container.decode(Double.self)).map { " (\($0))" } ?? ""
        let path = decoder.codingPath.isEmpty ? "the top level" : decoder.codingPath.reduce(into: "") { path, key in
            if let index = key.intValue {
                path += "[\(index)]"
            } else {
                path += path.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return DecodingError.dataCorruptedError(
            in: container,
            debugDescription: "number\(shown) at \(path) is not a 64-bit integer; canonical JSON carries decimals and large numbers as strings"
        )
    }
}
