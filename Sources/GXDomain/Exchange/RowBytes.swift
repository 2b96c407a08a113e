/// One row's values as UTF-8 bytes: all values back to back in one buffer, and where each ends.
///
/// The provider's byte path carries a CSV row from the reader to its canonical line in two arrays instead
/// of a `String` per value (allocating, counting and freeing those was half of a provider's CPU). An absent
/// value (SQL NULL, an empty unquoted CSV field) is told apart from the empty string. Producers keep every
/// value well-formed UTF-8, as a `String` would be.
public struct RowBytes: Sendable, Hashable {
    /// Every value's bytes, in order, without separators.
    public private(set) var bytes: [UInt8] = []
    /// Value `n` ends at `ends[n]` in `bytes`; an absent value is stored as `-1 - end` (it is empty).
    public private(set) var ends: [Int32] = []

    public init() {}

    /// Room for `byteCount` bytes of `valueCount` values, so the row is built without growing.
    public init(byteCapacity byteCount: Int, valueCapacity valueCount: Int) {
        bytes.reserveCapacity(byteCount)
        ends.reserveCapacity(valueCount)
    }

    /// The row of these values (for rows that start as text, and for tests).
    public init(_ values: [String?]) {
        for value in values {
            if let value { append(Array(value.utf8)) } else { appendAbsent() }
        }
    }

    public var count: Int { ends.count }

    /// Whether value `index` is absent (`nil`).
    @inline(__always)
    public func isAbsent(_ index: Int) -> Bool { ends[index] < 0 }

    /// Where value `index` lies in `bytes` (empty for an absent value).
    @inline(__always)
    public func range(_ index: Int) -> Range<Int> {
        let start = index == 0 ? 0 : Self.offset(ends[index - 1])
        return start..<Self.offset(ends[index])
    }

    /// The value `index` as text, `nil` when absent.
    public func value(_ index: Int) -> String? {
        isAbsent(index) ? nil : String(decoding: bytes[range(index)], as: UTF8.self)
    }

    /// Every value as text: the row as the `String` path takes it.
    public var values: [String?] {
        (0..<count).map(value)
    }

    /// Appends one byte to the value being built (closed by `endValue`).
    @inline(__always)
    public mutating func append(byte: UInt8) { bytes.append(byte) }

    /// Appends bytes to the value being built (closed by `endValue`).
    @inline(__always)
    public mutating func append(bytes more: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: more) }

    /// Ends the value built since the last one ended.
    @inline(__always)
    public mutating func endValue() { ends.append(Int32(truncatingIfNeeded: bytes.count)) }

    /// Appends a whole present value.
    public mutating func append(_ value: [UInt8]) {
        bytes.append(contentsOf: value)
        endValue()
    }

    /// Appends an absent value.
    @inline(__always)
    public mutating func appendAbsent() { ends.append(-1 - Int32(truncatingIfNeeded: bytes.count)) }

    /// Empties the row, keeping its storage when no copy shares it.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
    }

    @inline(__always)
    static func offset(_ end: Int32) -> Int { Int(end < 0 ? -1 - end : end) }
}
