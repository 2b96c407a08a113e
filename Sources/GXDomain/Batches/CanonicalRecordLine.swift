/// A record's canonical line as it arrived, with where each value's JSON token lies: a strictly checked line
/// holds each value exactly as ``CanonicalRecord/write(into:)`` would, so its tokens can be checked and
/// copied into another canonical line without decoding and escaping them again.
public struct CanonicalRecordLine {
    /// The line, without its `"\n"`.
    public let bytes: ArraySlice<UInt8>
    public let operation: RecordOperation
    /// Value `n`'s token runs from offset `offset(2n)` to `offset(2n + 1)` from `bytes.startIndex`.
    let tokens: ArraySlice<Int>

    /// Checks `line` (without its `"\n"`) as strictly as ``CanonicalRecord/parse(line:valueCount:)`` does,
    /// with the same errors, but makes no `String`. `tokens` is scratch space the caller may reuse for
    /// the next line once this one is no longer used.
    public init(checking line: ArraySlice<UInt8>, valueCount: Int, tokens: inout [Int]) throws(InvalidInput) {
        operation = try CanonicalRecordParser.reading(line) { parser throws(InvalidInput) in
            try parser.scan(valueCount: valueCount, tokens: &tokens)
        }
        bytes = line
        self.tokens = tokens[...]
    }

    /// A line checked before, with its tokens as that check found them (``CanonicalRecordLines``).
    init(checked line: ArraySlice<UInt8>, operation: RecordOperation, tokens: ArraySlice<Int>) {
        bytes = line
        self.operation = operation
        self.tokens = tokens
    }

    public var valueCount: Int { tokens.count / 2 }

    /// Token offset `i` (value `n` runs from `offset(2n)` to `offset(2n + 1)`).
    func offset(_ i: Int) -> Int { tokens[tokens.startIndex + i] }

    /// Where value `n`'s token lies in the line, as offsets from its first byte (for ``withBytes(_:)``).
    public func tokenRange(_ n: Int) -> Range<Int> { offset(2 * n)..<offset(2 * n + 1) }

    /// Calls `body` with the line's bytes in place: tokens read through ``tokenRange(_:)`` cost no slice
    /// (and no reference count) each, which a loop over a million lines feels.
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes(body)
    }

    /// Value `n`'s token (0-based): a quoted, escaped string or `null`.
    public func token(_ n: Int) -> ArraySlice<UInt8> {
        bytes[bytes.startIndex + offset(2 * n) ..< bytes.startIndex + offset(2 * n + 1)]
    }

    /// Appends the canonical line of this record cut to `indices` — for each value written, its position in
    /// this line, or nil for an absent item (`null`) — by copying the tokens as they are: a checked line holds
    /// them exactly as ``CanonicalRecord/write(into:)`` would, so the bytes are the same as decoding the
    /// values and encoding them again.
    public func write(projecting indices: [Int?], into buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "["))
        buffer.append(UInt8(ascii: "\""))
        buffer.append(operation.codeByte)
        buffer.append(UInt8(ascii: "\""))
        // Tokens copied from the line in place: a slice of it per token cost a reference count each.
        withBytes { bytes in
            for index in indices {
                buffer.append(UInt8(ascii: ","))
                if let index {
                    buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[tokenRange(index)]))
                } else {
                    buffer.append(contentsOf: CanonicalRecord.nullBytes)
                }
            }
        }
        buffer.append(UInt8(ascii: "]"))
        buffer.append(UInt8(ascii: "\n"))
    }

    /// Value `n` (0-based) decoded, as `CanonicalRecord.parse` would give it.
    public func value(_ n: Int) -> String? {
        bytes.withUnsafeBufferPointer { line in
            var parser = CanonicalRecordParser(bytes: line)
            parser.index = offset(2 * n)
            // The line was checked when this was made: neither call can fail.
            guard (try? parser.isString(number: n + 1)) == true else { return nil }
            return try? parser.string(number: n + 1)
        }
    }
}
