/// Checked record lines copied out of a decoder's buffer, to be read later — on another thread, or after the
/// buffer moved on — without checking them again: only a ``CanonicalRecordLine`` can be appended, so every
/// line handed out was checked when it arrived.
public struct CanonicalRecordLines: Sendable {
    private var bytes: [UInt8] = []
    /// Line `n` runs from `ends[n - 1]` (0 for the first) to `ends[n]` in `bytes`.
    private var ends: [Int] = []
    private var operations: [RecordOperation] = []
    /// Each line's token offsets, `2 × valueCount` per line, from the line's start.
    private var tokens: [Int] = []
    private let valueCount: Int

    public init(valueCount: Int, reservingBytes capacity: Int = 0) {
        self.valueCount = valueCount
        bytes.reserveCapacity(capacity)
    }

    public var count: Int { ends.count }
    public var byteCount: Int { bytes.count }

    /// Copies `line`, which must hold `valueCount` values.
    public mutating func append(_ line: CanonicalRecordLine) {
        precondition(line.valueCount == valueCount, "a line of \(line.valueCount) values among lines of \(valueCount)")
        bytes.append(contentsOf: line.bytes)
        ends.append(bytes.count)
        operations.append(line.operation)
        tokens.append(contentsOf: line.tokens)
    }

    /// Line `index` (0-based), as it was appended.
    public subscript(index: Int) -> CanonicalRecordLine {
        let start = index == 0 ? 0 : ends[index - 1]
        let width = 2 * valueCount
        return CanonicalRecordLine(checked: bytes[start..<ends[index]], operation: operations[index],
                                   tokens: tokens[index * width..<(index + 1) * width])
    }

    /// Empties the lines, keeping the room.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        operations.removeAll(keepingCapacity: true)
        tokens.removeAll(keepingCapacity: true)
    }
}
