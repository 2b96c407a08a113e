#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a snapshot file (see `SnapshotFileWriter`) front to back through one buffer. The current entry's
/// `key`, `digest` and `line` point into that buffer and stay valid until `advance()`.
///
/// A file that ends early, runs on past its count, or whose keys do not strictly increase (when
/// `checksOrder`) is an error naming the file: a damaged snapshot must never read as a shorter one, or the
/// rows it lost would never be tombstoned.
final class SnapshotFileReader {
    let path: String
    private(set) var count: Int
    /// The digest its entries hold, from the header.
    private(set) var kind = SnapshotDigestKind.sm3
    private let file: POSIXFile
    private let checksOrder: Bool
    private var buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private var entryLength = 0
    private var entriesRead = 0
    private var previousKey: [UInt8] = []
    private(set) var hasEntry = false
    private(set) var key = UnsafeRawBufferPointer(start: nil, count: 0)
    private(set) var digest = UnsafeRawBufferPointer(start: nil, count: 0)
    private(set) var line = UnsafeRawBufferPointer(start: nil, count: 0)

    /// Far beyond any real record; a larger length means the file is damaged, not that memory should grow.
    static let largestEntry = 256 << 20

    init(path: String, checksOrder: Bool, bufferSize: Int = 256 * 1024) throws(LocalDataError) {
        self.path = path
        self.checksOrder = checksOrder
        file = try POSIXFile.openForReading(path)
        buffer = .allocate(byteCount: max(bufferSize, 64), alignment: 8)
        count = 0
        guard try fill(SnapshotFileFormat.headerLength),
              let kind = SnapshotDigestKind(magic: Array(UnsafeRawBufferPointer(rebasing: buffer[0..<SnapshotFileFormat.magicLength])))
        else {
            throw LocalDataError(location: path, reason: "not a Gongxiang snapshot file (no GXSNAP01 or GXSNAP02 header)")
        }
        self.kind = kind
        let stored = UInt64(littleEndian: UnsafeRawBufferPointer(buffer).loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        guard stored <= UInt64(Int.max) else { throw damaged("impossible entry count \(stored)") }
        count = Int(stored)
        start = SnapshotFileFormat.headerLength
        try advance()
    }

    deinit {
        buffer.deallocate()
    }

    /// The current entry as it is stored (lengths, key, digest, line), for copying it whole into another file.
    var storedEntry: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: UnsafeRawPointer(buffer.baseAddress!) + start, count: entryLength)
    }

    /// Moves to the next entry; `hasEntry` is false after the last.
    func advance() throws(LocalDataError) {
        start += entryLength
        entryLength = 0
        guard entriesRead < count else {
            hasEntry = false
            if try fill(1) { throw damaged("bytes after its \(count) entries") }
            return
        }
        guard try fill(8) else { throw damaged("ends after \(entriesRead) of \(count) entries") }
        let keyLength = Int(UInt32(littleEndian: UnsafeRawBufferPointer(buffer).loadUnaligned(fromByteOffset: start, as: UInt32.self)))
        let lineLength = Int(UInt32(littleEndian: UnsafeRawBufferPointer(buffer).loadUnaligned(fromByteOffset: start + 4, as: UInt32.self)))
        let length = 8 + keyLength + SnapshotFileFormat.digestLength + lineLength
        guard length <= Self.largestEntry else { throw damaged("entry \(entriesRead + 1) claims \(length) bytes") }
        guard try fill(length) else { throw damaged("ends inside entry \(entriesRead + 1) of \(count)") }
        let base = UnsafeRawPointer(buffer.baseAddress!) + start + 8
        key = UnsafeRawBufferPointer(start: base, count: keyLength)
        digest = UnsafeRawBufferPointer(start: base + keyLength, count: SnapshotFileFormat.digestLength)
        line = UnsafeRawBufferPointer(start: base + keyLength + SnapshotFileFormat.digestLength, count: lineLength)
        if checksOrder {
            if entriesRead > 0 {
                let order = previousKey.withUnsafeBytes { SnapshotKeyOrder.compare($0, key) }
                guard order < 0 else { throw damaged("keys out of order at entry \(entriesRead + 1)") }
            }
            previousKey.removeAll(keepingCapacity: true)
            previousKey.append(contentsOf: key)
        }
        entryLength = length
        entriesRead += 1
        hasEntry = true
    }

    /// Copies the entries from the current one up to the first whose key is not below `limit` (every entry
    /// left, when nil) into `writer` exactly as they are stored, and returns how many: for a pass that
    /// recalled its rows, most of the snapshot goes on unchanged, a buffer's worth of entries at a time. It
    /// stops early at an entry that holds a line (the caller takes that one by itself), and checks the order
    /// as `advance` does.
    func copyEntries(before limit: UnsafeRawBufferPointer?, into writer: SnapshotFileWriter) throws(LocalDataError) -> Int {
        var copied = 0
        while hasEntry, line.isEmpty, limit.map({ SnapshotKeyOrder.compare(key, $0) < 0 }) ?? true {
            // The current entry, and those after it that lie whole in the buffer, go in one piece.
            let bytes = UnsafeRawBufferPointer(buffer)
            let pieceStart = start
            var last = (start: start, length: entryLength, key: key)
            var pieceCount = 1
            var read = entriesRead
            while read < count, end - (last.start + last.length) >= 8 {
                let position = last.start + last.length
                let keyLength = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self)))
                let lineLength = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: position + 4, as: UInt32.self))
                let length = 8 + keyLength + SnapshotFileFormat.digestLength
                guard lineLength == 0, length <= Self.largestEntry, end - position >= length else { break }
                let entryKey = UnsafeRawBufferPointer(rebasing: bytes[position + 8..<position + 8 + keyLength])
                if checksOrder, SnapshotKeyOrder.compare(last.key, entryKey) >= 0 { throw damaged("keys out of order at entry \(read + 1)") }
                if let limit, SnapshotKeyOrder.compare(entryKey, limit) >= 0 { break }
                last = (position, length, entryKey)
                pieceCount += 1
                read += 1
            }
            try writer.append(stored: UnsafeRawBufferPointer(rebasing: bytes[pieceStart..<last.start + last.length]), entries: pieceCount)
            copied += pieceCount
            // The last entry copied becomes the current one, as `advance` would have left it, and is passed.
            start = last.start
            entryLength = last.length
            entriesRead = read
            if checksOrder {
                previousKey.removeAll(keepingCapacity: true)
                previousKey.append(contentsOf: last.key)
            }
            try advance()
        }
        return copied
    }

    /// Makes `needed` bytes from `start` available; false if the file ends first.
    private func fill(_ needed: Int) throws(LocalDataError) -> Bool {
        if end - start >= needed { return true }
        return try file.fill(&buffer, start: &start, end: &end, needed: needed)
    }

    private func damaged(_ what: String) -> LocalDataError {
        LocalDataError(location: path, reason: "damaged snapshot file: \(what); delete it to send the whole source again")
    }
}

/// The one order every snapshot file is sorted in: bytewise on the encoded key (so UTF-8 code point order).
enum SnapshotKeyOrder {
    @inline(__always)
    static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let shared = min(a.count, b.count)
        if shared > 0 {
            let order = memcmp(a.baseAddress!, b.baseAddress!, shared)
            if order != 0 { return Int(order) }
        }
        return a.count - b.count
    }
}
