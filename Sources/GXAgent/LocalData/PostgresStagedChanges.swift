import GXDomain
import NIOCore

/// One batch's changes for a `PostgresSink`, in COPY text format (tab-separated, `\N` for NULL, backslash
/// escapes), numbered so the merge can keep the last change per key. Refuses use after its apply ended.
///
/// Lines are written into plain byte arrays, not `ByteBuffer`s: a `ByteBuffer` write checks exclusive access
/// to its storage at run time, which cost a consumer more than the writes themselves (about 15 % of its CPU
/// on a load). The sink hands each chunk to PostgresNIO as one `ByteBuffer`.
///
/// Unchecked Sendable: one task fills it, then hands it whole to the task that applies it; it is never
/// used from two tasks at once.
public final class PostgresStagedChanges: LineSinkTransaction, @unchecked Sendable {
    private let location: String
    private let columnNames: [String]
    private let keyIndexes: [Int]
    private(set) var chunks: [[UInt8]] = []
    private var current: [UInt8] = []
    private(set) var count: Int64 = 0
    private(set) var deletes: Int64 = 0
    /// Whether some key was changed twice in the batch; only then must the merge pick each key's last change.
    private(set) var hasRepeatedKeys = false
    /// Hashes of the keys staged so far: a collision only sends the merge down the (always correct) path
    /// for repeated keys, and 100 000 keys cost 2 MB.
    private var keyHashes = StagedKeyHashes()
    private var isOpen = true

    /// COPY messages of about this size: large enough to be cheap, small enough to stream.
    static let chunkBytes = 1 << 20

    init(location: String, columnNames: [String], keyIndexes: [Int]) {
        self.location = location
        self.columnNames = columnNames
        self.keyIndexes = keyIndexes
        current.reserveCapacity(Self.chunkBytes)
    }

    func close() {
        isOpen = false
        keyHashes = StagedKeyHashes(capacity: 0)
        if !current.isEmpty { chunks.append(current) }
        current = []
    }

    public func upsert(_ values: [String?]) throws {
        try requireOpen()
        guard values.count == columnNames.count else {
            throw LocalDataError(location: location, reason: "upsert has \(values.count) values, the table has \(columnNames.count) columns")
        }
        for index in keyIndexes where values[index] == nil {
            throw LocalDataError(location: location, reason: "upsert with NULL key column \(columnNames[index])")
        }
        stage("u", values)
    }

    public func delete(key: [String]) throws {
        try requireOpen()
        guard key.count == keyIndexes.count else {
            throw LocalDataError(location: location, reason: "delete has \(key.count) key values, the table has \(keyIndexes.count) key columns")
        }
        var values = [String?](repeating: nil, count: columnNames.count)
        for (position, index) in keyIndexes.enumerated() { values[index] = key[position] }
        deletes += 1
        stage("d", values)
    }

    public func upsert(line: CanonicalRecordLine, mapper: RecordMapper) throws {
        try requireOpen()
        guard mapper.outputs.count == columnNames.count else {
            throw LocalDataError(location: location, reason: "upsert has \(mapper.outputs.count) values, the table has \(columnNames.count) columns")
        }
        let start = current.count
        keyParts.removeAll(keepingCapacity: true)
        keyParts.append(contentsOf: repeatElement(0, count: keyIndexes.count))
        do {
            // One exclusive access to `current` for the whole line, as in `write` below.
            try Self.write(number: count + 1, "u", line, mapper: mapper, keyIndexes: keyIndexes, keyParts: &keyParts, columnNames: columnNames,
                           location: location, into: &current)
        } catch {
            current.removeSubrange(start...)
            throw error
        }
        count += 1
        noteKey(keyParts)
        startNextChunkIfFull()
    }

    /// Staged keys' hashes, one part per key column (the hash of its UTF-8 bytes), combined in key order: the
    /// same for a key staged from `String`s or from a line's bytes.
    private var keyParts: [UInt64] = []

    private func noteKey(_ parts: [UInt64]) {
        guard !hasRepeatedKeys else { return }
        if !keyHashes.insert(StagedKeyHashes.combine(parts)) {
            hasRepeatedKeys = true
            keyHashes = StagedKeyHashes(capacity: 0)
        }
    }

    static func keyPart(_ text: String) -> UInt64 {
        var text = text
        return text.withUTF8 { StagedKeyHashes.part(UnsafeRawBufferPointer($0)) }
    }

    private func startNextChunkIfFull() {
        if current.count >= Self.chunkBytes {
            chunks.append(current)
            current = []
            current.reserveCapacity(Self.chunkBytes + 64 * 1024)
        }
    }

    private func stage(_ operation: StaticString, _ values: [String?]) {
        if !hasRepeatedKeys { noteKey(keyIndexes.map { Self.keyPart(values[$0] ?? "") }) }
        count += 1
        // One exclusive access to `current` for the whole line: a class's stored property is checked on
        // every use, which cost more than the writes themselves.
        Self.write(number: count, operation, values, into: &current)
        startNextChunkIfFull()
    }

    /// One staged upsert from a line, mapped column by column; `keyParts` gets each key column's hash.
    private static func write(number: Int64, _ operation: StaticString, _ line: CanonicalRecordLine, mapper: RecordMapper, keyIndexes: [Int],
                              keyParts: inout [UInt64], columnNames: [String], location: String, into buffer: inout [UInt8]) throws {
        writeNumber(number, into: &buffer)
        buffer.append(UInt8(ascii: "\t"))
        write(operation, into: &buffer)
        // A NULL key is refused after the whole record mapped, as `upsert` refuses it after `map`.
        var nullKey: Int?
        try mapper.mapIncoming(line) { column, value in
            buffer.append(UInt8(ascii: "\t"))
            let key = keyIndexes.firstIndex(of: column)
            switch value {
            case .null:
                if key != nil, nullKey == nil { nullKey = column }
                write("\\N", into: &buffer)
            case .bytes(let bytes):
                if let key { keyParts[key] = StagedKeyHashes.part(bytes) }
                writeEscaped(bytes, into: &buffer)
            case .text(let text):
                if let key { keyParts[key] = keyPart(text) }
                writeEscaped(text.utf8, into: &buffer)
            }
        }
        if let nullKey { throw LocalDataError(location: location, reason: "upsert with NULL key column \(columnNames[nullKey])") }
        buffer.append(UInt8(ascii: "\n"))
    }

    /// The order number's decimal digits, without making a `String` of them.
    private static func writeNumber(_ number: Int64, into buffer: inout [UInt8]) {
        var room: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: more than any Int64's digits
        withUnsafeMutableBytes(of: &room) { digits in
            var value = number.magnitude, index = digits.count
            repeat {
                index -= 1
                digits[index] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            } while value > 0
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: digits[index...]))
        }
    }

    private static func write(_ text: StaticString, into buffer: inout [UInt8]) {
        buffer.append(contentsOf: UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// A value in COPY text format: backslash, tab, newline and carriage return escaped.
    private static func writeEscaped(_ bytes: some Collection<UInt8>, into buffer: inout [UInt8]) {
        if !bytes.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) {
            buffer.append(contentsOf: bytes)
            return
        }
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\\"): write("\\\\", into: &buffer)
            case UInt8(ascii: "\t"): write("\\t", into: &buffer)
            case UInt8(ascii: "\n"): write("\\n", into: &buffer)
            case UInt8(ascii: "\r"): write("\\r", into: &buffer)
            default: buffer.append(byte)
            }
        }
    }

    /// One staged line: order number, operation and values, tab-separated in COPY text format.
    private static func write(number: Int64, _ operation: StaticString, _ values: [String?], into buffer: inout [UInt8]) {
        writeNumber(number, into: &buffer)
        buffer.append(UInt8(ascii: "\t"))
        write(operation, into: &buffer)
        for value in values {
            buffer.append(UInt8(ascii: "\t"))
            guard let value else {
                write("\\N", into: &buffer)
                continue
            }
            writeEscaped(value.utf8, into: &buffer)
        }
        buffer.append(UInt8(ascii: "\n"))
    }

    /// A staged chunk as COPY text for the table itself: each line without its leading order and operation
    /// fields. COPY text escapes tabs and newlines inside values, so the first two tabs of a line end them.
    static func tableRows(of chunk: [UInt8]) -> ByteBuffer {
        var rows = ByteBuffer()
        rows.writeWithUnsafeMutableBytes(minimumWritableBytes: chunk.count) { output in
            chunk.withUnsafeBytes { bytes in
                var start = 0, written = 0
                while start < bytes.count {
                    var cut = start, tabs = 0
                    while tabs < 2, cut < bytes.count {
                        if bytes[cut] == UInt8(ascii: "\t") { tabs += 1 }
                        cut += 1
                    }
                    var end = cut
                    while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
                    end = min(end + 1, bytes.count)
                    UnsafeMutableRawBufferPointer(rebasing: output[written..<written + end - cut]).copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[cut..<end]))
                    written += end - cut
                    start = end
                }
                return written
            }
        }
        return rows
    }

    private func requireOpen() throws(LocalDataError) {
        guard isOpen else { throw LocalDataError(location: location, reason: "transaction used after its apply ended") }
    }
}
