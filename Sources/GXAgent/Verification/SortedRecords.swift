import Foundation
import GXCrypto
import GXDomain

/// Canonical record lines gathered in any order and read back in key order — the bytes of their leading key
/// values — for a verification's streaming merge. While they fit in `memoryBudget` they are sorted in
/// memory; beyond it each full arena is sorted and written as a run file, and the runs are merged as they
/// are read (an external sort) with the last arena, which stays in memory, so memory stays flat however
/// many records come. Run files hold records, so
/// they are sealed under the agent's data key like its spool: a changed run is refused, never merged.
final class SortedRecords {
    private struct Entry {
        /// The key's first 16 bytes as big-endian integers (zero-padded): most comparisons end on them.
        var head: UInt64
        var next: UInt64
        var offset: Int
        var keyLength: Int32
        var lineLength: Int32
    }

    /// Every line starts `["u",`: the key follows.
    static let keyOffset = 5
    private var arena: [UInt8] = []
    private var entries: [Entry] = []
    private let directory: String
    private let memoryBudget: Int
    /// Seals the runs; nil writes them plain (an agent without data keys).
    private let keyring: DataKeyring?
    private var runs: [String] = []
    private(set) var count: Int64 = 0

    init(directory: String, memoryBudget: Int, keyring: DataKeyring?) throws {
        self.directory = directory
        self.memoryBudget = max(memoryBudget, 1 << 16)
        self.keyring = keyring
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    var runCount: Int { runs.count }

    /// Adds a canonical line (with its `"\n"`) whose first values are the key, `keyLength` bytes long.
    func append(line: [UInt8], keyLength: Int) throws {
        let offset = arena.count
        arena.append(contentsOf: line)
        let (head, next) = arena.withUnsafeBufferPointer { bytes in
            (Self.bigEndian(bytes, from: offset + Self.keyOffset, end: offset + Self.keyOffset + keyLength),
             Self.bigEndian(bytes, from: offset + Self.keyOffset + 8, end: offset + Self.keyOffset + keyLength))
        }
        entries.append(Entry(head: head, next: next, offset: offset, keyLength: Int32(keyLength), lineLength: Int32(line.count)))
        count += 1
        if arena.count + entries.count * MemoryLayout<Entry>.stride >= memoryBudget { try spill() }
    }

    private static func bigEndian(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, end: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in start..<start + 8 { value = value << 8 | UInt64(index < end ? bytes[index] : 0) }
        return value
    }

    private func sortEntries() {
        arena.withUnsafeBufferPointer { arena in
            entries.sort { a, b in
                if a.head != b.head { return a.head < b.head }
                if a.next != b.next { return a.next < b.next }
                let x = UnsafeBufferPointer(rebasing: arena[a.offset + Self.keyOffset..<a.offset + Self.keyOffset + Int(a.keyLength)])
                let y = UnsafeBufferPointer(rebasing: arena[b.offset + Self.keyOffset..<b.offset + Self.keyOffset + Int(b.keyLength)])
                let n = min(x.count, y.count)
                let order = n == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, n)
                return order != 0 ? order < 0 : x.count < y.count
            }
        }
    }

    /// Sorts the arena and writes it as one run: per line its key length and line length (UInt32, little
    /// endian) and the line.
    private func spill() throws {
        guard !entries.isEmpty else { return }
        sortEntries()
        let path = directory + "/run-\(runs.count).sorted"
        unlink(path)
        let output: PayloadFileWriter
        do { output = try PayloadFileWriter(path: path, sealingWith: keyring?.current) } catch {
            throw AgentError.localData("cannot write the sorted run \(path): \(error)")
        }
        var finished = false
        defer { if !finished { output.abandon() } }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        for entry in entries {
            withUnsafeBytes(of: UInt32(entry.keyLength).littleEndian) { buffer.append(contentsOf: $0) }
            withUnsafeBytes(of: UInt32(entry.lineLength).littleEndian) { buffer.append(contentsOf: $0) }
            buffer.append(contentsOf: arena[entry.offset..<entry.offset + Int(entry.lineLength)])
            if buffer.count >= 1 << 20 {
                do { try output.write(buffer) } catch { throw AgentError.localData("cannot write the sorted run \(path): \(error)") }
                buffer.removeAll(keepingCapacity: true)
            }
        }
        do {
            try output.write(buffer)
            try output.finish()
        } catch {
            throw AgentError.localData("cannot write the sorted run \(path): \(error)")
        }
        finished = true
        runs.append(path)
        arena.removeAll(keepingCapacity: true)
        entries.removeAll(keepingCapacity: true)
    }

    /// The lines in key order (equal keys next to each other). Call once, after the last `append`. The last
    /// arena, when it is everything or a small part of the budget, is not spilled: it is sorted where it is and
    /// merged from memory with the runs on disk, so those records are never sealed, written, read back and
    /// opened. A larger one is spilled like the others, so the merge's buffers are all the memory it holds.
    func reader() throws -> Reader {
        if !runs.isEmpty, arena.count + entries.count * MemoryLayout<Entry>.stride > memoryBudget / 4 { try spill() }
        sortEntries()
        let memory = MemoryRun(arena: arena, entries: entries)
        arena = []
        entries = []
        guard !runs.isEmpty else { return Reader(runs: [memory]) }
        return Reader(runs: try runs.map { try RunReader(path: $0, keyring: keyring) } + (memory.current == nil ? [] : [memory]))
    }

    /// Removes the run files.
    func discard() {
        for run in runs { try? FileManager.default.removeItem(atPath: run) }
        runs = []
    }

    /// Reads the sorted lines one at a time; a line and key are valid until the next call.
    final class Reader {
        private let runs: [any SortedRun]
        private var started = false

        init(runs: [any SortedRun]) {
            self.runs = runs
        }

        /// The next line (with its `"\n"`) and its key, or nil after the last.
        func next() throws -> (key: ArraySlice<UInt8>, line: ArraySlice<UInt8>)? {
            if runs.count == 1 {
                if started { try runs[0].advance() } else { started = true }
                return runs[0].current
            }
            if started {
                // The run whose line was handed out last moves on.
                if let last = smallest() { try runs[last].advance() }
            } else {
                started = true
            }
            guard let top = smallest() else { return nil }
            return runs[top].current
        }

        /// The run whose current key comes first (a few runs: a linear look is enough).
        private func smallest() -> Int? {
            var best: Int?
            for index in runs.indices {
                guard let key = runs[index].current?.key else { continue }
                if let b = best, let bestKey = runs[b].current?.key, VerificationOutcome.compare(key, bestKey) >= 0 { continue }
                best = index
            }
            return best
        }
    }

    /// The last arena, sorted in memory, read as a run.
    private final class MemoryRun: SortedRun {
        private let arena: [UInt8]
        private let entries: [Entry]
        private var index = 0
        private(set) var current: (key: ArraySlice<UInt8>, line: ArraySlice<UInt8>)?

        init(arena: [UInt8], entries: [Entry]) {
            self.arena = arena
            self.entries = entries
            load()
        }

        func advance() throws {
            index += 1
            load()
        }

        private func load() {
            guard index < entries.count else {
                current = nil
                return
            }
            let entry = entries[index]
            let start = entry.offset
            current = (arena[start + SortedRecords.keyOffset..<start + SortedRecords.keyOffset + Int(entry.keyLength)],
                       arena[start..<start + Int(entry.lineLength)])
        }
    }

    /// One run file read with a buffer; a sealed run is read only if its tag holds.
    final class RunReader: SortedRun {
        private let path: String
        /// The run is opened, checked and decrypted a few chunks ahead on a thread of its own.
        private let input: PayloadReadAhead
        private var buffer: [UInt8] = []
        private var position = 0
        private var ended = false
        private(set) var current: (key: ArraySlice<UInt8>, line: ArraySlice<UInt8>)?

        init(path: String, keyring: DataKeyring?) throws {
            self.path = path
            // Small chunks: a merge reads many runs at once, each with its chunks in flight.
            input = PayloadReadAhead(path: path, keyring: keyring, chunk: 256 << 10)
            try advance()
        }

        /// Makes at least `count` bytes available from `position`, unless the file ends.
        private func fill(_ count: Int) throws -> Bool {
            while buffer.count - position < count {
                if ended { return false }
                current = nil
                buffer.removeSubrange(0..<position)
                position = 0
                let chunk: [UInt8]
                do { chunk = try input.read() } catch {
                    throw AgentError.localData("the sorted run \(path) is refused: \(error)")
                }
                if !chunk.isEmpty {
                    buffer.append(contentsOf: chunk)
                } else {
                    ended = true
                }
            }
            return true
        }

        func advance() throws {
            current = nil
            guard try fill(8) else { return }
            let (keyLength, lineLength) = buffer.withUnsafeBytes { raw in
                (Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: position, as: UInt32.self))),
                 Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: position + 4, as: UInt32.self))))
            }
            guard try fill(8 + lineLength) else { throw AgentError.localData("a sorted run ends inside a line") }
            let start = position + 8
            position = start + lineLength
            current = (buffer[start + SortedRecords.keyOffset..<start + SortedRecords.keyOffset + keyLength], buffer[start..<start + lineLength])
        }
    }
}

/// Sorted lines read one at a time, for the merge: a run file, or the arena still in memory.
protocol SortedRun: AnyObject {
    /// The line (with its `"\n"`) and its key under the cursor; nil after the last.
    var current: (key: ArraySlice<UInt8>, line: ArraySlice<UInt8>)? { get }
    func advance() throws
}
