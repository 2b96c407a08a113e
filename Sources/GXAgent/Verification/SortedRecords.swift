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
    /// Every line starts `["u",`: the key follows.
    static let keyOffset = SortArena.keyOffset
    /// The lines gathered since the last run was written; made on the first line, so an empty sort holds nothing.
    private var arena: SortArena?
    private let directory: String
    private let memoryBudget: Int
    /// Seals the runs; nil writes them plain (an agent without data keys).
    private let keyring: DataKeyring?
    private var runs: [String] = []
    private(set) var count: Int64 = 0
    /// One deflate stream's state (about 230 KiB), reset for each run.
    private var deflater: Deflater?

    /// `memoryBudget` is the arena's size: what the lines, their key lengths and their index entries
    /// (`SortArena.footprint`) may take before they are written as a run.
    init(directory: String, memoryBudget: Int, keyring: DataKeyring?) throws {
        self.directory = directory
        self.memoryBudget = max(memoryBudget, 1 << 16)
        self.keyring = keyring
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    var runCount: Int { runs.count }

    /// Adds a canonical line (with its `"\n"`) whose first values are the key, `keyLength` bytes long.
    func append(line: [UInt8], keyLength: Int) throws {
        let arena = self.arena ?? SortArena(capacity: memoryBudget)
        self.arena = arena
        if !arena.append(line, keyLength: keyLength) {
            try spill()
            guard arena.append(line, keyLength: keyLength) else {
                throw AgentError.localData("record \(count + 1) is \(line.count) bytes as a canonical line: more than the sort's memory of \(memoryBudget) bytes (GX_VERIFY_SORT_MEMORY) holds")
            }
        }
        count += 1
    }

    /// Sorts the arena and writes it as one run: per line its key length and line length (UInt32, little
    /// endian) and the line, deflated, then sealed. Deflating first costs less than it saves: sorted lines
    /// shrink to about a third, and SM4 and HMAC-SM3 (slower here than deflate) then pass over that third,
    /// on the way out and on the way back.
    private func spill() throws {
        guard let arena, !arena.isEmpty else { return }
        arena.sort()
        let path = directory + "/run-\(runs.count).sorted"
        unlink(path)
        let output: PayloadFileWriter
        do { output = try PayloadFileWriter(path: path, sealingWith: keyring?.current) } catch {
            throw AgentError.localData("cannot write the sorted run \(path): \(error)")
        }
        var finished = false
        defer { if !finished { output.abandon() } }
        let deflater = try runDeflater()
        var buffer: [UInt8] = [], compressed: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        func write(finishing: Bool) throws {
            do {
                try deflater.compress(buffer, into: &compressed)
                if finishing { try deflater.finish(into: &compressed) }
                try output.write(compressed)
            } catch {
                throw AgentError.localData("cannot write the sorted run \(path): \(error)")
            }
            buffer.removeAll(keepingCapacity: true)
            compressed.removeAll(keepingCapacity: true)
        }
        for index in 0..<arena.count {
            arena.prefetch(index + SortArena.prefetchDistance)
            let record = arena.record(index)
            withUnsafeBytes(of: UInt32(record.key.count).littleEndian) { buffer.append(contentsOf: $0) }
            withUnsafeBytes(of: UInt32(record.line.count).littleEndian) { buffer.append(contentsOf: $0) }
            buffer.append(contentsOf: record.line)
            if buffer.count >= 1 << 20 { try write(finishing: false) }
        }
        try write(finishing: true)
        do {
            try output.finish()
        } catch {
            throw AgentError.localData("cannot write the sorted run \(path): \(error)")
        }
        finished = true
        runs.append(path)
        arena.removeAll()
    }

    private func runDeflater() throws -> Deflater {
        if let deflater {
            deflater.reset()
            return deflater
        }
        do {
            let made = try Deflater(level: 1)
            deflater = made
            return made
        } catch {
            throw AgentError.localData("cannot start deflate for a sorted run: \(error)")
        }
    }

    /// The lines in key order (equal keys next to each other, in the order they were added). Call once, after
    /// the last `append`. The last arena, when it is everything or a small part of the budget, is not spilled:
    /// it is sorted where it is and merged from memory with the runs on disk, so those records are never sealed,
    /// written, read back and opened. A larger one is spilled like the others, so the merge's buffers are all
    /// the memory it holds.
    func reader() throws -> Reader {
        if !runs.isEmpty, let arena, arena.bytes > memoryBudget / 4 { try spill() }
        let last = arena.flatMap { $0.isEmpty ? nil : $0 }
        arena = nil
        last?.sort()
        let memory = last.map { [MemoryRun(arena: $0)] } ?? []
        guard !runs.isEmpty else { return Reader(runs: memory) }
        return Reader(runs: try runs.map { try RunReader(path: $0, keyring: keyring) } + memory)
    }

    /// Removes the run files.
    func discard() {
        for run in runs { try? FileManager.default.removeItem(atPath: run) }
        runs = []
    }

    /// A sorted line (with its `"\n"`) and its key, in place in the run that holds it: valid until the
    /// reader's next `next()`. Nothing is copied or reference-counted per line.
    struct Line {
        let key: UnsafeRawBufferPointer
        let line: UnsafeRawBufferPointer
    }

    /// Byte order of two keys (bytewise, then the shorter first), as ``VerificationOutcome/compare(_:_:)``.
    static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let common = min(a.count, b.count)
        if common > 0, let x = a.baseAddress, let y = b.baseAddress {
            let order = memcmp(x, y, common)
            if order != 0 { return order < 0 ? -1 : 1 }
        }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }

    /// Reads the sorted lines one at a time; a line and key are valid until the next call.
    final class Reader {
        private let runs: [any SortedRun]
        private var started = false

        init(runs: [any SortedRun]) {
            self.runs = runs
        }

        /// The next line and its key, or nil after the last.
        func next() throws -> Line? {
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
            var bestKey = UnsafeRawBufferPointer(start: nil, count: 0)
            for index in runs.indices {
                guard let key = runs[index].current?.key else { continue }
                if best != nil, SortedRecords.compare(key, bestKey) >= 0 { continue }
                best = index
                bestKey = key
            }
            return best
        }
    }

    /// The last arena, sorted in memory, read as a run: its lines are handed out where they lie in the arena,
    /// which lives as long as the run.
    private final class MemoryRun: SortedRun {
        private let arena: SortArena
        private var index = 0
        private(set) var current: Line?

        init(arena: SortArena) {
            self.arena = arena
            for ahead in 0..<SortArena.prefetchDistance { arena.prefetch(ahead) }
            load()
        }

        func advance() throws {
            index += 1
            load()
        }

        private func load() {
            guard index < arena.count else {
                current = nil
                return
            }
            arena.prefetch(index + SortArena.prefetchDistance)
            let record = arena.record(index)
            current = Line(key: record.key, line: record.line)
        }
    }

    /// One run file read through a buffer of its own; a sealed run is read only if its tag holds. The buffer
    /// is allocated memory, not an array, so a line handed out stays where it is until the next `advance`.
    final class RunReader: SortedRun {
        private let path: String
        /// The run is opened, checked and decrypted a few chunks ahead on a thread of its own.
        private let input: PayloadReadAhead
        private var storage: UnsafeMutableRawPointer
        private var capacity: Int
        /// The unread bytes are `start..<end` of `storage`.
        private var start = 0
        private var end = 0
        private var ended = false
        private(set) var current: Line?

        init(path: String, keyring: DataKeyring?) throws {
            self.path = path
            // Small chunks: a merge reads many runs at once, each with its chunks in flight (a deflated
            // chunk inflates to three or four times its size).
            input = PayloadReadAhead(path: path, keyring: keyring, chunk: 16 << 10, inflating: true)
            capacity = 512 << 10
            storage = .allocate(byteCount: capacity, alignment: 16)
            try advance()
        }

        deinit { storage.deallocate() }

        /// Makes at least `count` bytes available from `start`, unless the file ends.
        private func fill(_ count: Int) throws -> Bool {
            while end - start < count {
                if ended { return false }
                current = nil
                let chunk: [UInt8]
                do { chunk = try input.read() } catch {
                    throw AgentError.localData("the sorted run \(path) is refused: \(error)")
                }
                guard !chunk.isEmpty else {
                    ended = true
                    continue
                }
                // The unread bytes move to the front, into a larger block if the chunk would not fit.
                let unread = end - start
                if unread + chunk.count > capacity {
                    capacity = max(capacity * 2, unread + chunk.count)
                    let larger = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
                    larger.copyMemory(from: storage + start, byteCount: unread)
                    storage.deallocate()
                    storage = larger
                } else if start > 0 {
                    memmove(storage, storage + start, unread)
                }
                start = 0
                end = unread
                chunk.withUnsafeBytes { (storage + end).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
                end += chunk.count
            }
            return true
        }

        func advance() throws {
            current = nil
            guard try fill(8) else { return }
            let keyLength = Int(UInt32(littleEndian: (storage + start).loadUnaligned(as: UInt32.self)))
            let lineLength = Int(UInt32(littleEndian: (storage + start + 4).loadUnaligned(as: UInt32.self)))
            guard SortedRecords.keyOffset + keyLength <= lineLength else { throw AgentError.localData("the sorted run \(path) holds a malformed line") }
            guard try fill(8 + lineLength) else { throw AgentError.localData("a sorted run ends inside a line") }
            let line = UnsafeRawBufferPointer(start: storage + start + 8, count: lineLength)
            current = Line(key: UnsafeRawBufferPointer(rebasing: line[SortedRecords.keyOffset..<SortedRecords.keyOffset + keyLength]), line: line)
            start += 8 + lineLength
        }
    }
}

/// Sorted lines read one at a time, for the merge: a run file, or the arena still in memory.
protocol SortedRun: AnyObject {
    /// The line and its key under the cursor, valid until the next `advance`; nil after the last.
    var current: SortedRecords.Line? { get }
    func advance() throws
}
