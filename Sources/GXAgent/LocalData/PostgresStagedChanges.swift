import GXDomain
import NIOCore

/// One batch's changes for a `PostgresSink`, in COPY text format (tab-separated, `\N` for NULL, backslash
/// escapes), numbered so the merge can keep the last change per key. Refuses use after its apply ended.
///
/// Unchecked Sendable: one task fills it, then hands it whole to the task that applies it; it is never
/// used from two tasks at once.
public final class PostgresStagedChanges: LineSinkTransaction, @unchecked Sendable {
    private let location: String
    private let columnNames: [String]
    private let keyIndexes: [Int]
    private(set) var chunks: [ByteBuffer] = []
    private var current = ByteBuffer()
    private(set) var count: Int64 = 0
    private(set) var deletes: Int64 = 0
    /// Whether some key was changed twice in the batch; only then must the merge pick each key's last change.
    private(set) var hasRepeatedKeys = false
    /// Hashes of the keys staged so far: a collision only sends the merge down the (always correct) path
    /// for repeated keys, and 100 000 keys cost under 2 MB.
    private var keyHashes = Set<Int>()
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
        keyHashes = []
        if current.readableBytes > 0 { chunks.append(current) }
        current = ByteBuffer()
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
        let start = current.writerIndex
        keyParts.removeAll(keepingCapacity: true)
        keyParts.append(contentsOf: repeatElement(0, count: keyIndexes.count))
        do {
            // One exclusive access to `current` for the whole line, as in `write` below.
            try Self.write(number: count + 1, "u", line, mapper: mapper, keyIndexes: keyIndexes, keyParts: &keyParts, columnNames: columnNames,
                           location: location, into: &current)
        } catch {
            current.moveWriterIndex(to: start)
            throw error
        }
        count += 1
        noteKey(keyParts)
        startNextChunkIfFull()
    }

    /// Staged keys' hashes, one part per key column (the hash of its UTF-8 bytes), combined in key order: the
    /// same for a key staged from `String`s or from a line's bytes.
    private var keyParts: [Int] = []

    private func noteKey(_ parts: [Int]) {
        guard !hasRepeatedKeys else { return }
        var hasher = Hasher()
        for part in parts { hasher.combine(part) }
        if !keyHashes.insert(hasher.finalize()).inserted {
            hasRepeatedKeys = true
            keyHashes = []
        }
    }

    static func keyPart(_ bytes: some Sequence<UInt8>) -> Int {
        var hasher = Hasher()
        if bytes.withContiguousStorageIfAvailable({ hasher.combine(bytes: UnsafeRawBufferPointer($0)) }) == nil {
            Array(bytes).withUnsafeBytes { hasher.combine(bytes: $0) }
        }
        return hasher.finalize()
    }

    private func startNextChunkIfFull() {
        if current.readableBytes >= Self.chunkBytes {
            chunks.append(current)
            current = ByteBuffer()
            current.reserveCapacity(Self.chunkBytes)
        }
    }

    private func stage(_ operation: StaticString, _ values: [String?]) {
        if !hasRepeatedKeys { noteKey(keyIndexes.map { Self.keyPart(values[$0]?.utf8 ?? "".utf8) }) }
        count += 1
        // One exclusive access to `current` for the whole line: a class's stored property is checked on
        // every use, which cost more than the writes themselves.
        Self.write(number: count, operation, values, into: &current)
        startNextChunkIfFull()
    }

    /// One staged upsert from a line, mapped column by column; `keyParts` gets each key column's hash.
    private static func write(number: Int64, _ operation: StaticString, _ line: CanonicalRecordLine, mapper: RecordMapper, keyIndexes: [Int],
                              keyParts: inout [Int], columnNames: [String], location: String, into buffer: inout ByteBuffer) throws {
        buffer.writeString(String(number))
        buffer.writeInteger(UInt8(ascii: "\t"))
        buffer.writeStaticString(operation)
        // A NULL key is refused after the whole record mapped, as `upsert` refuses it after `map`.
        var nullKey: Int?
        try mapper.mapIncoming(line) { column, value in
            buffer.writeInteger(UInt8(ascii: "\t"))
            let key = keyIndexes.firstIndex(of: column)
            switch value {
            case .null:
                if key != nil, nullKey == nil { nullKey = column }
                buffer.writeStaticString("\\N")
            case .bytes(let bytes):
                if let key { keyParts[key] = keyPart(bytes) }
                writeEscaped(bytes, into: &buffer)
            case .text(let text):
                if let key { keyParts[key] = keyPart(text.utf8) }
                writeEscaped(text.utf8, into: &buffer)
            }
        }
        if let nullKey { throw LocalDataError(location: location, reason: "upsert with NULL key column \(columnNames[nullKey])") }
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    /// A value in COPY text format: backslash, tab, newline and carriage return escaped.
    private static func writeEscaped(_ bytes: some Collection<UInt8>, into buffer: inout ByteBuffer) {
        if !bytes.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) {
            buffer.writeBytes(bytes)
            return
        }
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
            case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
            case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
            case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
            default: buffer.writeInteger(byte)
            }
        }
    }

    /// One staged line: order number, operation and values, tab-separated in COPY text format.
    private static func write(number: Int64, _ operation: StaticString, _ values: [String?], into buffer: inout ByteBuffer) {
        buffer.writeString(String(number))
        buffer.writeInteger(UInt8(ascii: "\t"))
        buffer.writeStaticString(operation)
        for value in values {
            buffer.writeInteger(UInt8(ascii: "\t"))
            guard let value else {
                buffer.writeStaticString("\\N")
                continue
            }
            writeEscaped(value.utf8, into: &buffer)
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    /// A staged chunk as COPY text for the table itself: each line without its leading order and operation
    /// fields. COPY text escapes tabs and newlines inside values, so the first two tabs of a line end them.
    static func tableRows(of chunk: ByteBuffer) -> ByteBuffer {
        var rows = ByteBuffer()
        rows.reserveCapacity(chunk.readableBytes)
        chunk.withUnsafeReadableBytes { bytes in
            var start = 0
            while start < bytes.count {
                var cut = start, tabs = 0
                while tabs < 2, cut < bytes.count {
                    if bytes[cut] == UInt8(ascii: "\t") { tabs += 1 }
                    cut += 1
                }
                var end = cut
                while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
                end = min(end + 1, bytes.count)
                rows.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[cut..<end]))
                start = end
            }
        }
        return rows
    }

    private func requireOpen() throws(LocalDataError) {
        guard isOpen else { throw LocalDataError(location: location, reason: "transaction used after its apply ended") }
    }
}
