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
    /// endian) and the line.
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
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        for index in 0..<arena.count {
            let record = arena.record(index)
            withUnsafeBytes(of: UInt32(record.key.count).littleEndian) { buffer.append(contentsOf: $0) }
            withUnsafeBytes(of: UInt32(record.line.count).littleEndian) { buffer.append(contentsOf: $0) }
            buffer.append(contentsOf: record.line)
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
        arena.removeAll()
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

    /// The last arena, sorted in memory, read as a run: each line is copied into a small buffer as it comes
    /// up, so what it hands out stays valid after the next `advance` (a merge holds the line before), as a run
    /// file's lines do. Two buffers take turns, so a line held over one call is not copied again.
    private final class MemoryRun: SortedRun {
        private let arena: SortArena
        private var index = 0
        private var lines: [[UInt8]] = [[], []]
        private(set) var current: (key: ArraySlice<UInt8>, line: ArraySlice<UInt8>)?

        init(arena: SortArena) {
            self.arena = arena
            for turn in lines.indices { lines[turn].reserveCapacity(256) }
            load()
        }

        func advance() throws {
            index += 1
            load()
        }

        private func load() {
            // Let go of the last line's slices before the buffer is reused, so it is not copied.
            current = nil
            guard index < arena.count else { return }
            let record = arena.record(index)
            let turn = index & 1
            lines[turn].removeAll(keepingCapacity: true)
            lines[turn].append(contentsOf: record.line)
            let line = lines[turn]
            current = (line[SortedRecords.keyOffset..<SortedRecords.keyOffset + record.key.count], line[...])
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
