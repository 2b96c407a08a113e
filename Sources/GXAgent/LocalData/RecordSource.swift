/// Where a provider agency's rows come from: its nightly export file or a table in its own database.
///
/// Sources are read in one streaming pass; nothing holds all rows in memory.
public protocol RecordSource {
    /// Column names, in the order `scan` reports values.
    func columns() throws(LocalDataError) -> [String]

    /// Calls `body` once per row, in a stable order.
    ///
    /// With a `cursor` configured (cursor mode), only rows strictly after `after` are visited, ordered by
    /// (cursor column, key columns), and each row carries its own position so the agent can move its
    /// checkpoint exactly to the last row the hub accepted. Without one, every row is visited.
    func scan(after: SourceCursor?, _ body: (SourceRow) throws -> Void) async throws

    /// Releases the connection to a database server, if the source holds one.
    func close() async
}

extension RecordSource {
    public func close() async {}
}

/// One row as text: `nil` is SQL NULL or an empty CSV field.
public struct SourceRow: Sendable {
    public var values: [String?]
    /// Position in cursor mode; `nil` otherwise.
    public var cursor: SourceCursor?

    public init(values: [String?], cursor: SourceCursor? = nil) {
        self.values = values
        self.cursor = cursor
    }
}

/// A position in a source read in cursor mode: the cursor column's value, then the key as tie-break, so
/// rows sharing a cursor value are never skipped or half-sent.
public struct SourceCursor: Codable, Sendable, Hashable, Comparable {
    public var value: String
    public var key: [String]

    public init(value: String, key: [String]) {
        self.value = value
        self.key = key
    }

    public static func < (lhs: SourceCursor, rhs: SourceCursor) -> Bool {
        lhs.value != rhs.value ? lhs.value < rhs.value : lhs.key.lexicographicallyPrecedes(rhs.key)
    }
}
