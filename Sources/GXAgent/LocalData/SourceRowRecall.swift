/// Recognises a pass's rows, in source order, among the rows of the last accepted pass (its
/// `SourceRowMemory`), so that the pass maps only rows whose bytes changed.
///
/// It reads the memory front to back and keeps a window of the rows ahead: a row is found at the head
/// (the usual case, same order as last night), or further on — the rows it passes over were deleted,
/// changed or moved, and are not recalled. A row that moved back, or further than the window, is mapped
/// again, which costs time and never correctness. Memory stays flat: the window, not the file, is held.
///
/// A recalled row is in the snapshot unchanged, so the pass need not sort it with the rows it observes.
/// The kept rows passed over (and those left when the pass ends) go, in sorted runs marked
/// `passedOverMark`, to `SnapshotDiff.compare`: each is deleted unless a mapped row of the pass has its key.
///
/// A damaged or short memory ends the recall where it breaks; it is only a cache. Not thread-safe.
final class SourceRowRecall {
    let path: String
    /// Rows recalled so far as kept (a row recalled as quarantined is mapped again, so it does not count).
    private(set) var recalled = 0
    private let file: POSIXFile
    private var buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private var ended = false
    /// The rows at positions `head..<tail` of the memory, row `p` at `window[p % capacity]`; each row's
    /// entry, exactly as the file stores it, lies in `entries`. Plain values, so moving a row through the
    /// window counts no references and allocates nothing.
    private var window: [WindowRow]
    private let capacity: Int
    private var head = 0
    private var tail = 0
    /// The entries of the window's rows, back to back; `entries[0]` is the byte at `entriesBase` of all the
    /// entries read so far. Entries before the head's are dropped from time to time.
    private var entries: [UInt8] = []
    private var entriesBase = 0
    /// For each slot (the digest's low bits), 1 + the position of the last row read whose digest falls
    /// there, or 0: a row whose slot a later one took can only be found at the head.
    private var slots: [Int]
    private let slotMask: Int
    /// Kept rows passed over, not yet in a run file; and the run files, in `directory`.
    private var passedOver: SnapshotRun
    private(set) var passedOverPaths: [String] = []
    private var directory = ""
    private var kind = SnapshotDigestKind.sha256
    private static let runBytes = 4 << 20

    /// A row of the window: its source digest, and where its entry lies (`offset` counted from the first
    /// entry ever read; negative once the row was taken or passed over).
    private struct WindowRow {
        var source: SourceRowDigest
        var offset: Int
        var length: Int32
        var kept: Bool

        static let empty = WindowRow(source: SourceRowDigest(first: 0, second: 0), offset: -1, length: 0, kept: false)
        var isPresent: Bool { offset >= 0 }
    }

    /// The memory at `path` when it was made under `fingerprint`; nil when there is none or it was made under
    /// other rules. `capacity` rows are read ahead.
    /// `directory` takes the runs of rows passed over, sorted as snapshots of `kind`.
    static func open(path: String, fingerprint: [UInt8], directory: String, kind: SnapshotDigestKind,
                     capacity: Int = 1 << 16) throws(LocalDataError) -> SourceRowRecall? {
        guard POSIXFile.exists(path) else { return nil }
        let recall = try SourceRowRecall(path: path, capacity: capacity)
        guard recall.startsWith(fingerprint) else { return nil }
        recall.directory = directory
        recall.kind = kind
        return recall
    }

    private init(path: String, capacity: Int) throws(LocalDataError) {
        self.path = path
        file = try POSIXFile.openForReading(path)
        buffer = .allocate(byteCount: 256 * 1024, alignment: 8)
        self.capacity = capacity
        window = Array(repeating: .empty, count: capacity)
        var slotCount = 1
        while slotCount < 8 * capacity { slotCount <<= 1 }
        slots = Array(repeating: 0, count: slotCount)
        slotMask = slotCount - 1
        passedOver = SnapshotRun(capacity: Self.runBytes + (64 << 10))
    }

    /// Reads the header: whether the memory was made under `fingerprint`.
    private func startsWith(_ fingerprint: [UInt8]) -> Bool {
        guard fill(SourceRowMemory.headerLength),
              UnsafeRawBufferPointer(rebasing: buffer[0..<SourceRowMemory.magic.count]).elementsEqual(SourceRowMemory.magic),
              UnsafeRawBufferPointer(rebasing: buffer[SourceRowMemory.magic.count..<SourceRowMemory.headerLength]).elementsEqual(fingerprint)
        else { return false }
        start = SourceRowMemory.headerLength
        return true
    }

    deinit {
        buffer.deallocate()
        try? file.close()
    }

    /// The last pass's row with these source bytes, if the window holds it; the rows before it in the
    /// window are passed over. The form that shows what the memory holds (tests read it); a pass uses
    /// `recall(_:appendingTo:)`, which makes no `String`.
    func recall(_ source: SourceRowDigest) throws(LocalDataError) -> RememberedRow? {
        guard let position = try find(source) else { return nil }
        let row = window[position]
        let remembered = entry(row) { entry in
            RememberedRow(source: source, key: row.kept ? String(decoding: UnsafeRawBufferPointer(rebasing: entry[Self.fixedLength...]), as: UTF8.self) : nil)
        }
        take(position)
        return remembered
    }

    /// `recall` for a pass: when the window holds a row with these source bytes that the last pass kept,
    /// appends its entry, as `SourceRowMemoryWriter.append(remembered:)` takes it, to `remembered` and returns
    /// true. A row not found, or found but not kept (it is mapped again), returns false.
    func recall(_ source: SourceRowDigest, appendingTo remembered: inout [UInt8]) throws(LocalDataError) -> Bool {
        guard let position = try find(source) else { return false }
        let row = window[position]
        if row.kept { entry(row) { remembered.append(contentsOf: $0) } }
        take(position)
        return row.kept
    }

    /// Passes over every row not recalled yet, and writes the last run of rows passed over: for
    /// `SnapshotDiff.compare`, once the pass has read its source.
    func finish() throws(LocalDataError) {
        repeat {
            readAhead()
            while head < tail {
                try passOver(head % capacity)
                head += 1
            }
        } while !ended
        if !passedOver.isEmpty { try spill() }
    }

    /// The window slot of the row with these source bytes, the rows before it passed over; nil when the
    /// window does not hold it.
    private func find(_ source: SourceRowDigest) throws(LocalDataError) -> Int? {
        readAhead()
        let position: Int
        if head < tail, window[head % capacity].isPresent, window[head % capacity].source == source {
            position = head
        } else {
            position = slots[Int(truncatingIfNeeded: source.first) & slotMask] - 1
            guard position >= head, position < tail, window[position % capacity].isPresent,
                  window[position % capacity].source == source else { return nil }
        }
        while head < position {
            try passOver(head % capacity)
            head += 1
        }
        return position % capacity
    }

    /// Takes the row at window slot `index` (found by `find`, so at the head) out of the window.
    private func take(_ index: Int) {
        if window[index].kept { recalled += 1 }
        window[index] = .empty
        head += 1
    }

    private func passOver(_ index: Int) throws(LocalDataError) {
        let row = window[index]
        window[index] = .empty
        guard row.isPresent, row.kept else { return }
        // The run entry's digest is never read: the mark says what the entry is.
        entry(row) { entry in
            Self.passedOverMark.withUnsafeBytes { mark in
                Self.noDigest.withUnsafeBytes { digest in
                    passedOver.append(keyBytes: UnsafeRawBufferPointer(rebasing: entry[Self.fixedLength...]), digest: digest, line: mark)
                }
            }
        }
        if passedOver.byteCount >= Self.runBytes { try spill() }
    }

    private func entry<Result>(_ row: WindowRow, _ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        entries.withUnsafeBytes { entries in
            let start = row.offset - entriesBase
            return body(UnsafeRawBufferPointer(rebasing: entries[start..<start + Int(row.length)]))
        }
    }

    private func spill() throws(LocalDataError) {
        let path = directory + "/passed-over-\(passedOverPaths.count + 1)"
        try passedOver.writeSorted(to: path, kind: kind)
        passedOverPaths.append(path)
    }

    /// The line a run entry of a row passed over carries: one byte, which no observed row's line (empty,
    /// or a `SnapshotLineStore` locator) has.
    static let passedOverMark: [UInt8] = [UInt8(ascii: "~")]
    private static let noDigest = [UInt8](repeating: 0, count: SnapshotFileFormat.digestLength)

    /// A row's source digest and key length: what every entry starts with.
    private static let fixedLength = SourceRowDigest.byteCount + 4

    private func readAhead() {
        guard !ended, tail - head < capacity else { return }
        dropTakenEntries()
        while !ended, tail - head < capacity {
            guard let row = nextRow() else {
                ended = true
                return
            }
            window[tail % capacity] = row
            slots[Int(truncatingIfNeeded: row.source.first) & slotMask] = tail + 1
            tail += 1
        }
    }

    /// Drops the entries before the oldest row still in the window, once they are most of the buffer.
    private func dropTakenEntries() {
        var oldest = entriesBase + entries.count
        var position = head
        while position < tail {
            let row = window[position % capacity]
            if row.isPresent {
                oldest = row.offset
                break
            }
            position += 1
        }
        let dead = oldest - entriesBase
        guard dead >= 1 << 20, dead * 2 >= entries.count else { return }
        entries.removeSubrange(0..<dead)
        entriesBase = oldest
    }

    /// The next row of the file, its entry appended to `entries`; nil at its end or where it is damaged.
    private func nextRow() -> WindowRow? {
        let fixed = Self.fixedLength
        guard fill(fixed) else { return nil }
        let bytes = UnsafeRawBufferPointer(buffer)
        let source = SourceRowDigest(first: bytes.loadUnaligned(fromByteOffset: start, as: UInt64.self),
                                     second: bytes.loadUnaligned(fromByteOffset: start + 8, as: UInt64.self))
        let keyLength = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: start + SourceRowDigest.byteCount, as: UInt32.self))
        let length: Int
        if keyLength == SourceRowMemory.notKept {
            length = fixed
        } else {
            length = fixed + Int(keyLength)
            guard keyLength > 0, keyLength <= 1 << 20, fill(length) else { return nil }
        }
        let offset = entriesBase + entries.count
        entries.append(contentsOf: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[start..<start + length]))
        start += length
        return WindowRow(source: source, offset: offset, length: Int32(length), kept: keyLength != SourceRowMemory.notKept)
    }

    /// Makes `needed` bytes from `start` available; false at the end of the file or on a read error.
    private func fill(_ needed: Int) -> Bool {
        if end - start >= needed { return true }
        return (try? file.fill(&buffer, start: &start, end: &end, needed: needed)) ?? false
    }
}
