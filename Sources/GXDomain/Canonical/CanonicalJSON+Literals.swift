extension CanonicalJSON: ExpressibleByNilLiteral {
    public init(nilLiteral: ()) { self = .null }
}

extension CanonicalJSON: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension CanonicalJSON: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int64) { self = .integer(value) }
}

extension CanonicalJSON: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension CanonicalJSON: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: CanonicalJSON...) { self = .array(elements) }
}

extension CanonicalJSON: ExpressibleByDictionaryLiteral {
    /// Traps on a repeated key, as Swift's own dictionary literals do: it is a programming error,
    /// and silently keeping one value would sign content nobody wrote.
    public init(dictionaryLiteral elements: (String, CanonicalJSON)...) {
        self = .object(Dictionary(uniqueKeysWithValues: elements))
    }
}
