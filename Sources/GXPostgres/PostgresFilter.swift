import PostgresNIO

/// A WHERE clause built from optional filters, every value bound as a parameter (`$1`, `$2`, …), never
/// spliced into the SQL.
public struct PostgresFilter: Sendable {
    public private(set) var clauses: [String] = []
    public private(set) var bindings = PostgresBindings()

    public init() {}

    /// Binds `value` as the next parameter and returns its placeholder.
    public mutating func bind(_ value: String) -> String {
        bindings.append(value)
        return "$\(bindings.count)"
    }

    public mutating func bind(_ value: Int64) -> String {
        bindings.append(value)
        return "$\(bindings.count)"
    }

    /// Adds a condition on one bound value: `filter.add("provider = ?", provider)` — `?` becomes its placeholder.
    public mutating func add(_ condition: String, _ value: String) {
        let placeholder = bind(value)
        clauses.append(condition.replacing("?", with: placeholder))
    }

    public mutating func add(_ condition: String, _ value: Int64) {
        let placeholder = bind(value)
        clauses.append(condition.replacing("?", with: placeholder))
    }

    /// Adds a condition whose values were bound with `bind` (e.g. `state IN ($1, $2)`).
    public mutating func add(_ condition: String) {
        clauses.append(condition)
    }

    public var whereClause: String {
        clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")
    }
}
