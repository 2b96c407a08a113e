/// A JSON value with exactly one byte form (RFC 8785, JSON Canonicalization Scheme), for content
/// that is hashed or signed: agreement terms, batch manifests, audit entries. The same value gives
/// the same bytes on every machine, which Foundation's `JSONEncoder` cannot promise (its key
/// order varies between runs on Linux).
///
/// Numbers are Int64 integers only. JCS writes other numbers in ECMAScript's shortest
/// round-trip form, which is easy to get subtly wrong across platforms, and amounts, areas and
/// prices must not pass through binary floating point anyway: decimals travel as strings
/// (`"1234.50"`). Decoding JSON that holds a fraction, an exponent or an integer beyond Int64
/// throws a `DecodingError` naming where it was.
public enum CanonicalJSON: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int64)
    case string(String)
    case array([CanonicalJSON])
    case object([String: CanonicalJSON])
}

extension CanonicalJSON {
    /// The member `key` of an object; `nil` for a missing member or a value that is not an object.
    public subscript(key: String) -> CanonicalJSON? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The element at `index` of an array; `nil` out of range or for a value that is not an array.
    public subscript(index: Int) -> CanonicalJSON? {
        if case .array(let elements) = self, elements.indices.contains(index) { return elements[index] }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var integerValue: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var arrayValue: [CanonicalJSON]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var objectValue: [String: CanonicalJSON]? {
        if case .object(let value) = self { return value }
        return nil
    }
}
