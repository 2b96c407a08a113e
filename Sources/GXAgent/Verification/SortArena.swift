import CMemory
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The memory a verification's sort gathers its lines in: one block of exactly the budget, lines filling it
/// from the start and their index entries from the end until the two meet. So the sort holds what its budget
/// says — no array doubling past it, no copy while it grows — and pages it never fills are never touched,
/// so a small request costs only what it holds.
///
/// Not Sendable: one sort, one thread at a time.
final class SortArena {
    /// Where a line starts and what the comparisons need, 24 bytes a line.
    struct Entry {
        /// The key's first 16 bytes as big-endian integers (zero-padded): most comparisons end on them. One
        /// would not do: ID numbers share their first 8 bytes (a quote, the region, the century) by the thousand.
        var head: UInt64
        var next: UInt64
        /// Where the line's record starts: its key length (UInt32), then the line.
        var offset: UInt32
        var lineLength: UInt32
    }

    /// The bytes one line of `lineLength` takes: its key length, the line and its entry.
    static func footprint(lineLength: Int) -> Int { 4 + lineLength + MemoryLayout<Entry>.stride }

    /// Every line starts `["u",`: the key follows.
    static let keyOffset = 5
    /// How many records ahead of the one read a reader asks for (``prefetch(_:)``): enough to cover a
    /// memory access while the records between are handled.
    static let prefetchDistance = 12
    let capacity: Int
    private let base: UnsafeMutableRawPointer
    /// Bytes of records from the start.
    private var used = 0
    /// Entries, stored downwards from the end.
    private(set) var count = 0

    /// `capacity` is rounded down to the entries' alignment and kept under 4 GiB, so an offset fits in an entry.
    init(capacity: Int) {
        let bounded = min(capacity, Int(UInt32.max))
        self.capacity = bounded - bounded % MemoryLayout<Entry>.alignment
        base = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: MemoryLayout<Entry>.alignment)
    }

    deinit { base.deallocate() }

    var isEmpty: Bool { count == 0 }
    /// Bytes in use: records and entries.
    var bytes: Int { used + count * MemoryLayout<Entry>.stride }

    /// Adds a line (with its `"\n"`) whose first values, `keyLength` bytes after `["u",`, are its key; false
    /// when it does not fit in what is left.
    func append(_ line: [UInt8], keyLength: Int) -> Bool {
        guard used + Self.footprint(lineLength: line.count) <= capacity - count * MemoryLayout<Entry>.stride else { return false }
        let record = base + used
        record.storeBytes(of: UInt32(keyLength), as: UInt32.self)
        line.withUnsafeBytes { (record + 4).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        var head: UInt64 = 0, next: UInt64 = 0
        let key = UnsafeRawPointer(record + 4 + Self.keyOffset)
        for index in 0..<8 { head = head << 8 | UInt64(index < keyLength ? key.load(fromByteOffset: index, as: UInt8.self) : 0) }
        for index in 8..<16 { next = next << 8 | UInt64(index < keyLength ? key.load(fromByteOffset: index, as: UInt8.self) : 0) }
        count += 1
        entryStart.storeBytes(of: Entry(head: head, next: next, offset: UInt32(used), lineLength: UInt32(line.count)), as: Entry.self)
        used += 4 + line.count
        return true
    }

    private var entryStart: UnsafeMutableRawPointer { base + capacity - count * MemoryLayout<Entry>.stride }

    private var entries: UnsafeMutableBufferPointer<Entry> {
        UnsafeMutableBufferPointer(start: entryStart.assumingMemoryBound(to: Entry.self), count: count)
    }

    /// Sorts the entries by key bytes; lines with equal keys stay in the order they were added.
    func sort() {
        let base = UnsafeRawPointer(self.base)
        var entries = self.entries
        entries.sort { a, b in
            if a.head != b.head { return a.head < b.head }
            if a.next != b.next { return a.next < b.next }
            let x = base + Int(a.offset), y = base + Int(b.offset)
            let xLength = Int(x.loadUnaligned(as: UInt32.self)), yLength = Int(y.loadUnaligned(as: UInt32.self))
            let n = min(xLength, yLength)
            let order = n <= 16 ? 0 : memcmp(x + 4 + Self.keyOffset + 16, y + 4 + Self.keyOffset + 16, n - 16)
            if order != 0 { return order < 0 }
            if xLength != yLength { return xLength < yLength }
            return a.offset < b.offset
        }
    }

    /// The key and the line of the `index`th entry (after `sort`, in key order); valid until the arena changes.
    func record(_ index: Int) -> (key: UnsafeRawBufferPointer, line: UnsafeRawBufferPointer) {
        let entry = entries[index]
        let record = UnsafeRawPointer(base + Int(entry.offset))
        let keyLength = Int(record.loadUnaligned(as: UInt32.self))
        return (UnsafeRawBufferPointer(start: record + 4 + Self.keyOffset, count: keyLength),
                UnsafeRawBufferPointer(start: record + 4, count: Int(entry.lineLength)))
    }

    /// Asks for the `index`th entry's record ahead of reading it: after the sort, records are read in key
    /// order but lie in the order they came, so each read would otherwise wait on memory.
    func prefetch(_ index: Int) {
        guard index < count else { return }
        let record = UnsafeRawPointer(base + Int(entries[index].offset))
        gx_prefetch(record)
        gx_prefetch(record + 64)
    }

    /// Forgets every line, keeping the block (and the pages already touched) for the next arena.
    func removeAll() {
        used = 0
        count = 0
    }
}
