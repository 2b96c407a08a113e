import GXDomain

/// A source that can hand over its rows as bytes (a CSV export), so the provider maps a row without a
/// `String` per value. Snapshot mode only: cursor mode reads databases, through `scan`.
public protocol ByteRowSource: RecordSource {
    /// `scan(after: nil, _:)` with each row as bytes, values in `columns()` order.
    func scanBytes(_ body: (RowBytes) throws -> Void) throws
}
