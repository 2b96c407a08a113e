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
    /// The rows at positions `head..<tail` of the memory, row `p` at `window[p % capacity]`.
    private var window: [RememberedRow?]
    private let capacity: Int
    private var head = 0
    private var tail = 0
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
        window = Array(repeating: nil, count: capacity)
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
    /// window are passed over.
    func recall(_ source: SourceRowDigest) throws(LocalDataError) -> RememberedRow? {
        readAhead()
        if head < tail, window[head % capacity]?.source == source { return try take(head) }
        let position = slots[Int(truncatingIfNeeded: source.first) & slotMask] - 1
        guard position >= head, position < tail, window[position % capacity]?.source == source else { return nil }
        return try take(position)
    }

    /// Passes over every row not recalled yet, and writes the last run of rows passed over: for
    /// `SnapshotDiff.compare`, once the pass has read its source.
    func finish() throws(LocalDataError) {
        repeat {
            readAhead()
            while head < tail {
                if let row = window[head % capacity] { try passOver(row) }
                window[head % capacity] = nil
                head += 1
            }
        } while !ended
        if !passedOver.isEmpty { try spill() }
    }

    private func take(_ position: Int) throws(LocalDataError) -> RememberedRow? {
        while head < position {
            if let row = window[head % capacity] { try passOver(row) }
            window[head % capacity] = nil
            head += 1
        }
        let row = window[position % capacity]
        window[position % capacity] = nil
        head = position + 1
        if row?.key != nil { recalled += 1 }
        return row
    }

    private func passOver(_ row: RememberedRow) throws(LocalDataError) {
        guard let key = row.key else { return }
        row.digest.withUnsafeBytes { passedOver.append(key: key, digest: $0, line: Self.passedOverMark) }
        if passedOver.byteCount >= Self.runBytes { try spill() }
    }

    private func spill() throws(LocalDataError) {
        let path = directory + "/passed-over-\(passedOverPaths.count + 1)"
        try passedOver.writeSorted(to: path, kind: kind)
        passedOverPaths.append(path)
    }

    /// The line a run entry of a row passed over carries: one byte, which no observed row's line (empty,
    /// or a `SnapshotLineStore` locator) has.
    static let passedOverMark: [UInt8] = [UInt8(ascii: "~")]

    private func readAhead() {
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

    /// The next row of the file, or nil at its end or where it is damaged.
    private func nextRow() -> RememberedRow? {
        let fixed = SourceRowDigest.byteCount + 4
        guard fill(fixed) else { return nil }
        let bytes = UnsafeRawBufferPointer(buffer)
        let source = SourceRowDigest(first: bytes.loadUnaligned(fromByteOffset: start, as: UInt64.self),
                                     second: bytes.loadUnaligned(fromByteOffset: start + 8, as: UInt64.self))
        let keyLength = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: start + SourceRowDigest.byteCount, as: UInt32.self))
        if keyLength == SourceRowMemory.notKept {
            start += fixed
            return RememberedRow(source: source, key: nil, digest: SnapshotRowDigest())
        }
        let length = fixed + Int(keyLength) + SnapshotFileFormat.digestLength
        guard keyLength > 0, keyLength <= 1 << 20, fill(length) else { return nil }
        let base = UnsafeRawBufferPointer(buffer).baseAddress! + start
        let key = String(decoding: UnsafeRawBufferPointer(start: base + fixed, count: Int(keyLength)), as: UTF8.self)
        let digest = SnapshotRowDigest(bytes: UnsafeRawBufferPointer(start: base + fixed + Int(keyLength), count: SnapshotFileFormat.digestLength))
        start += length
        return RememberedRow(source: source, key: key, digest: digest)
    }

    /// Makes `needed` bytes from `start` available; false at the end of the file or on a read error.
    private func fill(_ needed: Int) -> Bool {
        if end - start >= needed { return true }
        return (try? file.fill(&buffer, start: &start, end: &end, needed: needed)) ?? false
    }
}
