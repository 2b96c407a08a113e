#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import GXDomain

/// Splits an RFC 4180 file into records straight from its bytes.
///
/// Reads fixed-size chunks (1 MiB by default) into one buffer and parses records in place, so memory stays
/// flat however large the export; a record cut by a chunk boundary is parsed again once more bytes arrived.
/// Accepts LF or CRLF line ends, skips a UTF-8 BOM and blank lines, and rejects what RFC 4180 forbids
/// (stray quotes, unterminated quoted fields) with the file and line.
package final class CSVReader {
    package static let defaultChunkSize = 1 << 20
    /// A record longer than this is almost surely an unterminated quote swallowing the file.
    static let maximumRecordSize = 64 << 20

    let path: String
    /// Physical line (1-based) on which the record last returned by `nextRecord` starts.
    private(set) var recordLine = 0

    private let file: POSIXFile
    private let chunkSize: Int
    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var start = 0
    private var end = 0
    private var atEOF = false
    private var checkedBOM = false
    private var nextLine = 1
    private var spans: [FieldSpan] = []
    private var unescaped: [UInt8] = []

    private struct FieldSpan {
        var start: Int
        var end: Int
        var quoted: Bool
        var escapedQuotes: Bool
    }

    private enum Outcome {
        case needMore
        case record(next: Int, lines: Int)
        case blank(next: Int, lines: Int)
    }

    private static let quote = UInt8(ascii: "\"")
    private static let comma = UInt8(ascii: ",")
    private static let lineFeed = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")

    package init(path: String, chunkSize: Int = CSVReader.defaultChunkSize) throws(LocalDataError) {
        precondition(chunkSize > 0)
        self.path = path
        self.chunkSize = chunkSize
        file = try POSIXFile.openForReading(path)
        capacity = chunkSize
        buffer = .allocate(capacity: capacity)
    }

    deinit {
        buffer.deallocate()
    }

    /// Replaces `fields` with the next record's fields (`nil` for an empty unquoted field).
    /// Returns `false` at the end of the file.
    package func nextRecord(into fields: inout [String?]) throws(LocalDataError) -> Bool {
        guard let (next, lines) = try findRecord() else { return false }
        try materialize(into: &fields)
        start = next
        nextLine += lines
        return true
    }

    /// `nextRecord(into:)` without a `String`: the record's unescaped field bytes in one buffer (an empty
    /// unquoted field absent), checked to be UTF-8 with the same error.
    package func nextRecord(into row: inout RowBytes) throws(LocalDataError) -> Bool {
        guard let (next, lines) = try findRecord() else { return false }
        try materialize(into: &row)
        start = next
        nextLine += lines
        return true
    }

    /// Parses up to the next record, skipping blank lines, and sets `recordLine`; the record's fields are in
    /// `spans` until the caller moves `start` to `next`. `nil` at the end of the file.
    private func findRecord() throws(LocalDataError) -> (next: Int, lines: Int)? {
        while true {
            if start == end || !checkedBOM {
                // At end of file the BOM has been checked, so only an empty buffer gets here.
                if atEOF { return nil }
                try fill()
                continue
            }
            switch try parseRecord() {
            case .needMore:
                try fill()
            case let .blank(next, lines):
                start = next
                nextLine += lines
            case let .record(next, lines):
                recordLine = nextLine
                return (next, lines)
            }
        }
    }

    /// Keeps the unparsed tail, then appends the next chunk behind it (growing only for a record longer
    /// than the buffer).
    private func fill() throws(LocalDataError) {
        guard !atEOF else { return }
        if start > 0 {
            let tail = end - start
            // Overlapping move (memmove).
            if tail > 0 { UnsafeMutableRawPointer(buffer).copyMemory(from: buffer + start, byteCount: tail) }
            start = 0
            end = tail
        }
        if capacity - end < chunkSize / 2 || end == capacity {
            guard capacity < Self.maximumRecordSize else {
                throw LocalDataError(location: "\(path):\(nextLine)",
                                     reason: "record longer than \(Self.maximumRecordSize >> 20) MiB (unterminated quoted field?)")
            }
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
            grown.update(from: buffer, count: end)
            buffer.deallocate()
            buffer = grown
            capacity *= 2
        }
        let count = try file.read(into: buffer + end, count: capacity - end)
        if count == 0 { atEOF = true }
        end += count
        if !checkedBOM, end - start >= 3 || atEOF {
            checkedBOM = true
            if end - start >= 3, buffer[start] == 0xEF, buffer[start + 1] == 0xBB, buffer[start + 2] == 0xBF {
                start += 3
            }
        }
    }

    /// Finds the field boundaries of the record at `start`; `.needMore` when it runs past the buffered
    /// bytes before the end of the file.
    private func parseRecord() throws(LocalDataError) -> Outcome {
        // The spans are built in a local array and handed back at the end: appending to the property would
        // check exclusive access to it at every field.
        var spans = self.spans
        self.spans = []
        defer { self.spans = spans }
        spans.removeAll(keepingCapacity: true)
        let buf = buffer
        let end = self.end
        let eof = atEOF
        var p = start
        var lines = 0
        while true {
            if p == end {
                guard eof else { return .needMore }
                spans.append(FieldSpan(start: p, end: p, quoted: false, escapedQuotes: false))
                return Self.finished(next: p, lines: lines, spans: spans)
            }
            if buf[p] == Self.quote {
                let fieldStart = p + 1
                var q = fieldStart
                var escaped = false
                while true {
                    while q < end, buf[q] != Self.quote {
                        if buf[q] == Self.lineFeed { lines += 1 }
                        q += 1
                    }
                    if q == end {
                        guard eof else { return .needMore }
                        throw LocalDataError(location: "\(path):\(nextLine)",
                                             reason: "quoted field \(spans.count + 1) is never closed")
                    }
                    if q + 1 == end, !eof { return .needMore }
                    if q + 1 < end, buf[q + 1] == Self.quote {
                        escaped = true
                        q += 2
                        continue
                    }
                    break
                }
                spans.append(FieldSpan(start: fieldStart, end: q, quoted: true, escapedQuotes: escaped))
                p = q + 1
                while p < end, buf[p] == Self.carriageReturn { p += 1 }
                if p == end {
                    guard eof else { return .needMore }
                    return Self.finished(next: p, lines: lines, spans: spans)
                }
                let c = buf[p]
                if c == Self.comma {
                    p += 1
                    continue
                }
                if c == Self.lineFeed { return Self.finished(next: p + 1, lines: lines + 1, spans: spans) }
                throw LocalDataError(location: "\(path):\(nextLine + lines)",
                                     reason: "unexpected character after the closing quote of field \(spans.count)")
            } else {
                let fieldStart = p
                while p < end {
                    let c = buf[p]
                    if c == Self.comma || c == Self.lineFeed || c == Self.quote { break }
                    p += 1
                }
                if p == end {
                    guard eof else { return .needMore }
                    spans.append(FieldSpan(start: fieldStart, end: Self.trimmingCR(buf, fieldStart, p), quoted: false, escapedQuotes: false))
                    return Self.finished(next: p, lines: lines, spans: spans)
                }
                let c = buf[p]
                if c == Self.quote {
                    throw LocalDataError(location: "\(path):\(nextLine + lines)",
                                         reason: "quote inside unquoted field \(spans.count + 1); quote the whole field and double the quote")
                }
                spans.append(FieldSpan(start: fieldStart, end: Self.trimmingCR(buf, fieldStart, p), quoted: false, escapedQuotes: false))
                p += 1
                if c == Self.lineFeed { return Self.finished(next: p, lines: lines + 1, spans: spans) }
            }
        }
    }

    /// Drops the CR of a CRLF line end from an unquoted field.
    private static func trimmingCR(_ buffer: UnsafeMutablePointer<UInt8>, _ fieldStart: Int, _ fieldEnd: Int) -> Int {
        fieldEnd > fieldStart && buffer[fieldEnd - 1] == carriageReturn ? fieldEnd - 1 : fieldEnd
    }

    private static func finished(next: Int, lines: Int, spans: [FieldSpan]) -> Outcome {
        if spans.count == 1, !spans[0].quoted, spans[0].start == spans[0].end {
            return .blank(next: next, lines: lines)
        }
        return .record(next: next, lines: lines)
    }

    private func materialize(into fields: inout [String?]) throws(LocalDataError) {
        fields.removeAll(keepingCapacity: true)
        for index in spans.indices {
            let span = spans[index]
            if !span.quoted, span.start == span.end {
                fields.append(nil)
                continue
            }
            let value: String?
            if span.escapedQuotes {
                unescaped.removeAll(keepingCapacity: true)
                var p = span.start
                while p < span.end {
                    let byte = buffer[p]
                    unescaped.append(byte)
                    p += byte == Self.quote ? 2 : 1
                }
                value = unescaped.withUnsafeBufferPointer { String(strictUTF8: $0) }
            } else {
                value = String(strictUTF8: UnsafeBufferPointer(start: buffer + span.start, count: span.end - span.start))
            }
            guard let value else { throw notUTF8(field: index) }
            fields.append(value)
        }
    }

    private func materialize(into row: inout RowBytes) throws(LocalDataError) {
        // Locals, so the loop does not check exclusive access to the reader's properties at every field.
        let spans = self.spans, buffer = self.buffer
        var byteCount = 0
        for span in spans { byteCount += span.end - span.start }
        // The whole record is checked at once: what lies between its fields (commas, quotes, a CR) is ASCII,
        // so it is UTF-8 exactly when every field is. Only a record that is not is checked field by field,
        // to name the field.
        if let first = spans.first, let last = spans.last,
           !UTF8Validation.isValid(UnsafeBufferPointer(start: buffer + first.start, count: last.end - first.start)) {
            for index in spans.indices where !UTF8Validation.isValid(UnsafeBufferPointer(start: buffer + spans[index].start,
                                                                                        count: spans[index].end - spans[index].start)) {
                throw notUTF8(field: index)
            }
        }
        row = RowBytes(byteCapacity: byteCount, valueCapacity: spans.count)
        for index in spans.indices {
            let span = spans[index]
            if !span.quoted, span.start == span.end {
                row.appendAbsent()
                continue
            }
            let field = UnsafeBufferPointer(start: buffer + span.start, count: span.end - span.start)
            // Escapes stand for ASCII quotes, so the raw bytes are UTF-8 exactly when the unescaped ones are.
            if span.escapedQuotes {
                var p = span.start
                while p < span.end {
                    let byte = buffer[p]
                    row.append(byte: byte)
                    p += byte == Self.quote ? 2 : 1
                }
            } else {
                row.append(bytes: field)
            }
            row.endValue()
        }
    }

    private func notUTF8(field index: Int) -> LocalDataError {
        LocalDataError(location: "\(path):\(recordLine)",
                       reason: "field \(index + 1) is not valid UTF-8 (convert GBK/GB18030 exports to UTF-8)")
    }
}
