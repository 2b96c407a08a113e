/// Splits a byte stream (arriving in arbitrary chunks, e.g. from inflate) into canonical record lines
/// without copying more than a partial line between chunks.
///
/// Complete lines inside a chunk are handed out as slices of the chunk itself; only the tail of a
/// line that continues in the next chunk is kept, and the maximum bounds that memory so a stream
/// without newlines cannot exhaust it.
public struct CanonicalRecordSplitter: Sendable {
    public let maximumLineLength: Int
    /// The start of a line whose newline has not arrived yet.
    var partial: [UInt8] = []
    /// Complete lines seen so far (the one being handed out included), so errors can say where in
    /// the stream they are.
    public private(set) var lineCount = 0

    public init(maximumLineLength: Int = 1 << 20) {
        precondition(maximumLineLength > 0, "a line must be allowed at least one byte")
        self.maximumLineLength = maximumLineLength
    }

    /// Calls `body` with each complete line (without `"\n"`). A line longer than the maximum is an error
    /// (`InvalidInput`); errors thrown by `body` are passed on unchanged.
    public mutating func append(_ bytes: some Collection<UInt8>, _ body: (ArraySlice<UInt8>) throws -> Void) throws {
        if let array = bytes as? [UInt8] {
            try split(array[...], body)
        } else if let slice = bytes as? ArraySlice<UInt8> {
            try split(slice, body)
        } else {
            try split(Array(bytes)[...], body)
        }
    }

    /// Call at the end of the stream: leftover bytes without a final newline are an error (truncated stream).
    public func finish() throws(InvalidInput) {
        guard partial.isEmpty else {
            throw InvalidInput(
                field: "record",
                reason: "the stream ends inside line \(lineCount + 1): \(partial.count) bytes without a final newline (truncated)"
            )
        }
    }

    mutating func split(_ chunk: ArraySlice<UInt8>, _ body: (ArraySlice<UInt8>) throws -> Void) throws {
        var lineStart = chunk.startIndex
        while let newline = Self.firstNewline(in: chunk, from: lineStart) {
            lineCount += 1
            if partial.isEmpty {
                try checkLength(newline - lineStart)
                try body(chunk[lineStart..<newline])
            } else {
                try checkLength(partial.count + newline - lineStart)
                partial.append(contentsOf: chunk[lineStart..<newline])
                defer { partial.removeAll(keepingCapacity: true) }
                try body(partial[...])
            }
            lineStart = newline + 1
        }
        if lineStart < chunk.endIndex {
            try checkLength(partial.count + chunk.endIndex - lineStart, line: lineCount + 1)
            partial.append(contentsOf: chunk[lineStart...])
        }
    }

    /// Index of the next newline at or after `start`, scanning raw memory (this runs over every byte).
    static func firstNewline(in chunk: ArraySlice<UInt8>, from start: Int) -> Int? {
        chunk.withUnsafeBufferPointer { buffer -> Int? in
            var offset = start - chunk.startIndex
            while offset < buffer.count {
                if buffer[offset] == UInt8(ascii: "\n") { return chunk.startIndex + offset }
                offset += 1
            }
            return nil
        }
    }

    func checkLength(_ length: Int, line: Int? = nil) throws(InvalidInput) {
        guard length <= maximumLineLength else {
            throw InvalidInput(field: "record", reason: "line \(line ?? lineCount) is longer than \(maximumLineLength) bytes")
        }
    }
}
