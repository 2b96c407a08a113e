import NIOCore

/// One batch's changes for a `PostgresSink`, in COPY text format (tab-separated, `\N` for NULL, backslash
/// escapes), numbered so the merge can keep the last change per key. Refuses use after its apply ended.
///
/// Unchecked Sendable: one task fills it, then hands it whole to the task that applies it; it is never
/// used from two tasks at once.
public final class PostgresStagedChanges: SinkTransaction, @unchecked Sendable {
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

    private func stage(_ operation: StaticString, _ values: [String?]) {
        if !hasRepeatedKeys {
            var hasher = Hasher()
            for index in keyIndexes { hasher.combine(values[index]) }
            if !keyHashes.insert(hasher.finalize()).inserted {
                hasRepeatedKeys = true
                keyHashes = []
            }
        }
        count += 1
        // One exclusive access to `current` for the whole line: a class's stored property is checked on
        // every use, which cost more than the writes themselves.
        Self.write(number: count, operation, values, into: &current)
        if current.readableBytes >= Self.chunkBytes {
            chunks.append(current)
            current = ByteBuffer()
            current.reserveCapacity(Self.chunkBytes)
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
            if !value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) {
                buffer.writeString(value)
                continue
            }
            for byte in value.utf8 {
                switch byte {
                case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
                case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
                case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
                case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
                default: buffer.writeInteger(byte)
                }
            }
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
