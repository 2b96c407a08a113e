import Foundation
import GXCrypto

/// One pass over a resource's source compared with its last accepted snapshot.
///
/// `observe` keeps each row (key, digest and, when the caller wants the changed rows back, where its line
/// lies in the pass's line file) in sorted runs; `compare` merges them with the snapshot in key order,
/// handing back the inserted and updated rows and the deleted keys, and writes the next snapshot; `commit`
/// makes that the accepted snapshot. Until `commit` the previous snapshot stays, so a pass that fails or
/// crashes is simply diffed again next run.
public final class SnapshotDiff {
    public let resource: String
    /// Keys in the last accepted snapshot (0 before the first accepted pass).
    public let previousCount: Int
    /// The digest this pass's rows must be observed with (see `SnapshotDigestKind`).
    public let digestKind: SnapshotDigestKind
    /// The rows of the last accepted pass, to recognise this pass's unchanged rows by their bytes; nil when
    /// there is no memory under the same rules, or the pass is full or the first.
    let recall: SourceRowRecall?
    /// Where this pass remembers its rows (sources read as bytes), for the next pass to recall.
    let rowMemory: SourceRowMemoryWriter?
    private let snapshotPath: String
    private let passDirectory: String
    private let runBytes: Int
    private var run: SnapshotRun
    /// Writes full runs while the pass fills the next.
    private let spiller: SnapshotRunSpiller
    private var runPaths: [String] = []
    /// Syncs the next snapshot and row memory between `compare` and `commit`.
    private let durability = BackgroundFileSync()
    /// The observed lines, when the caller wants changed rows back; runs then hold locators into it.
    private var lines: SnapshotLineStore?
    private var locator: [UInt8] = []
    private var stage = Stage.observing

    private enum Stage {
        case observing
        case compared
        case committed
    }

    init(resource: String, snapshotPath: String, passDirectory: String, runBytes: Int, previousCount: Int,
         digestKind: SnapshotDigestKind, recall: SourceRowRecall? = nil, rowMemory: SourceRowMemoryWriter? = nil) throws(LocalDataError) {
        self.resource = resource
        self.digestKind = digestKind
        self.recall = recall
        self.rowMemory = rowMemory
        self.snapshotPath = snapshotPath
        self.passDirectory = passDirectory
        self.runBytes = runBytes
        self.previousCount = previousCount
        run = SnapshotRun(capacity: runBytes + (1 << 20))
        spiller = SnapshotRunSpiller(capacity: runBytes + (1 << 20))
    }

    private var location: String { snapshotPath }
    private var nextSnapshotPath: String { passDirectory + "/next.snapshot" }
    private var linesPath: String { passDirectory + "/lines" }
    private var nextRowsPath: String { passDirectory + "/next.rows" }

    /// Keeps one source row: its key values, the `digestKind` digest of its canonical line, and the line itself when
    /// `compare` should hand it back if it changed (empty otherwise).
    public func observe(key: [String], digest: [UInt8], line: [UInt8] = []) throws(LocalDataError) {
        guard stage == .observing else { throw finishedError }
        guard !key.isEmpty else { throw LocalDataError(location: location, reason: "observed an empty key") }
        guard digest.count == SnapshotFileFormat.digestLength else {
            throw LocalDataError(location: location,
                                 reason: "digest of key \(key.joined(separator: "|")) has \(digest.count) bytes, expected \(SnapshotFileFormat.digestLength)")
        }
        try digest.withBytes { digest throws(LocalDataError) in try keep(SnapshotKey.encode(key), digest: digest, line: line) }
    }

    /// `observe` for a row prepared off this thread: its key already joined by `SnapshotKey`, its digest inline.
    func observe(encodedKey: String, digest: SnapshotRowDigest, line: [UInt8]) throws(LocalDataError) {
        guard stage == .observing else { throw finishedError }
        try digest.withUnsafeBytes { digest throws(LocalDataError) in try keep(encodedKey, digest: digest, line: line) }
    }

    private func keep(_ key: String, digest: UnsafeRawBufferPointer, line: [UInt8]) throws(LocalDataError) {
        if line.isEmpty {
            run.append(key: key, digest: digest, line: [])
        } else {
            let store: SnapshotLineStore
            if let lines { store = lines } else {
                store = try SnapshotLineStore(path: linesPath)
                lines = store
            }
            try store.append(line, locator: &locator)
            run.append(key: key, digest: digest, line: locator)
        }
        if run.byteCount >= runBytes { try spillRun() }
    }

    /// Compares the pass with the last accepted snapshot in key order: `onChange` gets each inserted or
    /// updated row's line (as observed), `onDelete` each key the snapshot has and the pass did not see. A
    /// key observed twice in the pass is an error naming it. Writes the next snapshot for `commit`.
    ///
    /// In a pass that recalled rows (`recall`), a snapshot entry no observed row names was recalled, so is
    /// unchanged, unless the recall passed over it: then it is deleted.
    @discardableResult
    public func compare(onChange: (SnapshotChange, [UInt8]) throws -> Void, onDelete: ([String]) throws -> Void) throws -> SnapshotComparison {
        guard stage == .observing else { throw finishedError }
        if let rowMemory {
            try rowMemory.finish(durable: false)
            durability.sync(rowMemory.path)
        }
        try recall?.finish()
        if !run.isEmpty || runPaths.isEmpty { try spillRun() }
        try spiller.finishWriting()
        let readers = try (runPaths + (recall?.passedOverPaths ?? [])).map { path throws(LocalDataError) in
            try SnapshotFileReader(path: path, checksOrder: false)
        }
        let merger = SnapshotRunMerger(runs: readers)
        let previous = POSIXFile.exists(snapshotPath) ? try SnapshotFileReader(path: snapshotPath, checksOrder: true) : nil
        let next = try SnapshotFileWriter(path: nextSnapshotPath, kind: digestKind)
        let noLine = UnsafeRawBufferPointer(start: nil, count: 0)
        // A snapshot of the other digest kind (a full pass moving to SHA-256) cannot tell unchanged rows.
        let comparable = previous?.kind == digestKind
        let recalling = recall != nil
        var comparison = SnapshotComparison()
        var recalledUnchanged = 0
        /// A snapshot entry no row of the pass named: recalled unchanged, or deleted.
        func unnamed(_ previous: SnapshotFileReader) throws {
            if recalling {
                // A snapshot entry has no line, so it goes into the next snapshot as it is stored.
                if previous.line.isEmpty {
                    try next.append(stored: previous.storedEntry)
                } else {
                    try next.append(key: previous.key, digest: previous.digest, line: noLine)
                }
                comparison.unchanged += 1
                recalledUnchanged += 1
            } else {
                try onDelete(SnapshotKey.decode(Self.keyText(previous.key)))
                comparison.deleted += 1
            }
            try previous.advance()
        }
        /// In a recalling pass, the snapshot entries before `limit` that no row named were recalled: copied
        /// into the next snapshot as stored, a buffer at a time.
        func copyRecalled(before limit: UnsafeRawBufferPointer?) throws {
            guard recalling, let previous else { return }
            let copied = try previous.copyEntries(before: limit, into: next)
            comparison.unchanged += copied
            recalledUnchanged += copied
        }
        // The entries of one key, copied: the runs' buffers move on as they advance.
        var key: [UInt8] = []
        var digest = [UInt8](repeating: 0, count: SnapshotFileFormat.digestLength)
        var line: [UInt8] = []
        while let first = merger.current {
            key.removeAll(keepingCapacity: true)
            key.append(contentsOf: first.key)
            var observed = 0
            var passedOver = false
            while let entry = merger.current, key.withUnsafeBytes({ SnapshotKeyOrder.compare($0, entry.key) }) == 0 {
                if entry.line.count == SourceRowRecall.passedOverMark.count, entry.line.first == SourceRowRecall.passedOverMark[0] {
                    passedOver = true
                } else {
                    observed += 1
                    guard observed == 1 else { throw duplicateKey(key) }
                    digest.withUnsafeMutableBytes { $0.copyMemory(from: entry.digest) }
                    line.removeAll(keepingCapacity: true)
                    line.append(contentsOf: entry.line)
                }
                try merger.advance()
            }
            try key.withUnsafeBytes { key in try copyRecalled(before: key) }
            while let previous, previous.hasEntry, key.withUnsafeBytes({ SnapshotKeyOrder.compare(previous.key, $0) }) < 0 {
                try unnamed(previous)
            }
            let inPrevious = previous.map { $0.hasEntry && key.withUnsafeBytes { SnapshotKeyOrder.compare(previous!.key, $0) } == 0 } ?? false
            guard observed > 0 else {
                // Only the recall names it: a row of the last pass that this pass no longer has.
                guard inPrevious, let previous else { throw try outOfStep("it passed over key \(Self.keyText(key)), which the snapshot does not hold") }
                try onDelete(SnapshotKey.decode(Self.keyText(key)))
                comparison.deleted += 1
                try previous.advance()
                continue
            }
            if inPrevious, let previous {
                // In a recalling pass, a snapshot key the recall did not pass over was recalled: named twice.
                if recalling, !passedOver { throw duplicateKey(key) }
                if comparable, memcmp(previous.digest.baseAddress!, digest, SnapshotFileFormat.digestLength) == 0 {
                    comparison.unchanged += 1
                } else {
                    comparison.updated += 1
                    try onChange(.updated, try line.withUnsafeBytes { line in try observedLine(line) })
                }
                try previous.advance()
            } else {
                if passedOver { throw try outOfStep("it passed over key \(Self.keyText(key)), which the snapshot does not hold") }
                comparison.inserted += 1
                try onChange(.inserted, try line.withUnsafeBytes { line in try observedLine(line) })
            }
            try key.withUnsafeBytes { key in
                try digest.withUnsafeBytes { digest in try next.append(key: key, digest: digest, line: noLine) }
            }
        }
        try copyRecalled(before: nil)
        while let previous, previous.hasEntry { try unnamed(previous) }
        if let recall, recalledUnchanged != recall.recalled {
            throw try outOfStep("it recalled \(recall.recalled) rows, and the snapshot holds \(recalledUnchanged) entries no row named")
        }
        try requireCurrentPass()
        // Durable by `commit`, which renames it into place: meanwhile the pass pushes its last batch.
        try next.finish(durable: false)
        durability.sync(nextSnapshotPath)
        for path in runPaths + (recall?.passedOverPaths ?? []) { try? FileManager.default.removeItem(atPath: path) }
        runPaths = []
        if let lines {
            try? lines.close()
            try? FileManager.default.removeItem(atPath: linesPath)
            self.lines = nil
        }
        stage = .compared
        return comparison
    }

    private func duplicateKey(_ key: [UInt8]) -> LocalDataError {
        LocalDataError(location: location, reason: "duplicate key \(Self.keyText(key)) in one pass")
    }

    /// The row memory does not describe the snapshot (it cannot, unless a file was changed by hand): it is
    /// removed, so the next pass maps every row, and this pass fails rather than guess.
    private func outOfStep(_ what: String) throws -> LocalDataError {
        try POSIXFile.removeIfPresent(SourceRowMemory.path(snapshot: snapshotPath))
        return LocalDataError(location: location, reason: "the memory of the last pass's rows does not match the snapshot: \(what); it is removed — run the pass again")
    }

    /// Makes this pass the accepted snapshot — the agent calls it only after the hub accepted every batch
    /// of the pass. Until then the previous snapshot stays (a crash mid-pass means the next run diffs again).
    public func commit() throws(LocalDataError) {
        switch stage {
        case .observing: throw LocalDataError(location: location, reason: "this pass was not compared yet; compare before commit")
        case .committed: throw finishedError
        case .compared: break
        }
        try requireCurrentPass()
        try durability.wait()
        // The old row memory goes first and the new one comes last, so a crash in between leaves none
        // rather than one that does not describe the snapshot.
        let rowsPath = SourceRowMemory.path(snapshot: snapshotPath)
        try POSIXFile.removeIfPresent(rowsPath)
        try POSIXFile.rename(nextSnapshotPath, over: snapshotPath)
        if rowMemory != nil { try POSIXFile.rename(nextRowsPath, over: rowsPath) }
        try POSIXFile.syncDirectory(containing: snapshotPath)
        stage = .committed
        // Cleanup only: if it fails, the next `beginDiff` removes the directory.
        try? FileManager.default.removeItem(atPath: passDirectory)
    }

    /// The line a run entry kept for a changed row: read back through its locator, or none.
    private func observedLine(_ kept: UnsafeRawBufferPointer) throws(LocalDataError) -> [UInt8] {
        guard !kept.isEmpty else { return [] }
        guard let lines else { throw LocalDataError(location: location, reason: "a run entry names a line but this pass kept none") }
        return try lines.line(at: kept)
    }

    private func spillRun() throws(LocalDataError) {
        try requireCurrentPass()
        let path = passDirectory + "/run-\(runPaths.count + 1)"
        try spiller.spill(&run, to: path, kind: digestKind)
        runPaths.append(path)
    }

    /// A vanished pass directory means `beginDiff` started another pass and removed this one's.
    private func requireCurrentPass() throws(LocalDataError) {
        guard POSIXFile.exists(passDirectory) else {
            throw LocalDataError(location: location, reason: "a newer pass over this resource has begun; this one is abandoned")
        }
    }

    private var finishedError: LocalDataError {
        LocalDataError(location: location, reason: stage == .committed ? "this pass was already committed; begin a new one"
                                                                       : "this pass was already compared; commit it or begin a new one")
    }

    private static func keyText(_ bytes: UnsafeRawBufferPointer) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    private static func keyText(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}

/// How a pass differed from the last accepted snapshot.
public struct SnapshotComparison: Sendable, Equatable {
    public var inserted = 0
    public var updated = 0
    public var unchanged = 0
    public var deleted = 0

    public init() {}

    /// Rows of the pass.
    public var observed: Int { inserted + updated + unchanged }
}
