import GXCrypto

/// A pass's entries not yet on disk, in source order: one contiguous arena of bytes and a small index, so
/// a row costs a copy rather than allocations. When full it is sorted by key and written as one run file;
/// the runs are merged when the pass is compared with the last snapshot. The arena holds each entry exactly
/// as a snapshot file stores it, so writing the sorted run copies each entry once, whole.
struct SnapshotRun {
    private struct Entry {
        /// The key's first 16 bytes as big-endian integers (zero-padded): most comparisons end on them,
        /// without reading the arena.
        var head: UInt64
        var next: UInt64
        /// Where the stored entry (its lengths, then key, digest and line) starts in the arena.
        var offset: Int
        var keyLength: UInt32
        var lineLength: UInt32
    }

    private var arena: [UInt8] = []
    private var entries: [Entry] = []

    /// `capacity` is reserved at once: growing the arena by doubling would briefly hold twice the run.
    init(capacity: Int) {
        arena.reserveCapacity(capacity)
    }

    var byteCount: Int { arena.count }
    var isEmpty: Bool { entries.isEmpty }

    mutating func append(key: String, digest: UnsafeRawBufferPointer, line: [UInt8]) {
        var key = key
        key.withUTF8 { key in
            line.withUnsafeBytes { line in append(keyBytes: UnsafeRawBufferPointer(key), digest: digest, line: line) }
        }
    }

    /// An entry whose key is already bytes (a row memory's entry).
    mutating func append(keyBytes key: UnsafeRawBufferPointer, digest: UnsafeRawBufferPointer, line: UnsafeRawBufferPointer) {
        let offset = arena.count
        let keyBytes = key.assumingMemoryBound(to: UInt8.self)
        withUnsafeBytes(of: UInt32(key.count).littleEndian) { arena.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(line.count).littleEndian) { arena.append(contentsOf: $0) }
        arena.append(contentsOf: key)
        arena.append(contentsOf: digest)
        arena.append(contentsOf: line)
        entries.append(Entry(head: Self.bigEndian(keyBytes, from: 0), next: Self.bigEndian(keyBytes, from: 8), offset: offset,
                             keyLength: UInt32(key.count), lineLength: UInt32(line.count)))
    }

    /// The key's and the line's lengths before each stored entry, as `SnapshotFileWriter` writes them.
    private static let lengthsSize = 8

    /// Eight bytes from `start` as a big-endian integer, zero past the end: integers compare as the bytes do.
    private static func bigEndian(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in start..<start + 8 {
            value = value << 8 | UInt64(index < bytes.count ? bytes[index] : 0)
        }
        return value
    }

    /// Sorts the entries by key, writes them to `path` and empties the run (keeping its memory).
    mutating func writeSorted(to path: String, kind: SnapshotDigestKind) throws(LocalDataError) {
        let writer = try SnapshotFileWriter(path: path, kind: kind)
        try arena.withBytes { arena throws(LocalDataError) in
            func key(_ entry: Entry) -> UnsafeRawBufferPointer {
                UnsafeRawBufferPointer(rebasing: arena[entry.offset + Self.lengthsSize..<entry.offset + Self.lengthsSize + Int(entry.keyLength)])
            }
            entries.sort { a, b in
                if a.head != b.head { return a.head < b.head }
                if a.next != b.next { return a.next < b.next }
                return SnapshotKeyOrder.compare(key(a), key(b)) < 0
            }
            for entry in entries {
                let end = entry.offset + Self.lengthsSize + Int(entry.keyLength) + SnapshotFileFormat.digestLength + Int(entry.lineLength)
                try writer.append(stored: UnsafeRawBufferPointer(rebasing: arena[entry.offset..<end]))
            }
        }
        try writer.finish(durable: false)
        arena.removeAll(keepingCapacity: true)
        entries.removeAll(keepingCapacity: true)
    }
}
