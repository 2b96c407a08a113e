import GXCrypto

/// A pass's entries not yet on disk, in source order: one contiguous arena of bytes and a small index, so
/// a row costs a copy rather than allocations. When full it is sorted by key and written as one run file;
/// the runs are merged when the pass is compared with the last snapshot.
struct SnapshotRun {
    private struct Entry {
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

    mutating func append(key: String, digest: [UInt8], line: [UInt8]) {
        var key = key
        let offset = arena.count
        key.withUTF8 { arena.append(contentsOf: $0) }
        arena.append(contentsOf: digest)
        arena.append(contentsOf: line)
        entries.append(Entry(offset: offset, keyLength: UInt32(arena.count - offset - digest.count - line.count), lineLength: UInt32(line.count)))
    }

    /// Sorts the entries by key, writes them to `path` and empties the run (keeping its memory).
    mutating func writeSorted(to path: String) throws(LocalDataError) {
        let writer = try SnapshotFileWriter(path: path)
        try arena.withBytes { arena throws(LocalDataError) in
            func key(_ entry: Entry) -> UnsafeRawBufferPointer {
                UnsafeRawBufferPointer(rebasing: arena[entry.offset..<entry.offset + Int(entry.keyLength)])
            }
            entries.sort { SnapshotKeyOrder.compare(key($0), key($1)) < 0 }
            for entry in entries {
                let digestStart = entry.offset + Int(entry.keyLength)
                let lineStart = digestStart + SnapshotFileFormat.digestLength
                try writer.append(key: key(entry),
                                  digest: UnsafeRawBufferPointer(rebasing: arena[digestStart..<lineStart]),
                                  line: UnsafeRawBufferPointer(rebasing: arena[lineStart..<lineStart + Int(entry.lineLength)]))
            }
        }
        try writer.finish(durable: false)
        arena.removeAll(keepingCapacity: true)
        entries.removeAll(keepingCapacity: true)
    }
}
