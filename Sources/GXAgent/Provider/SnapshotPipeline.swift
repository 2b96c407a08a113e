import Dispatch
import GXDomain
import NIOConcurrencyHelpers

/// The second stage of a snapshot-mode pass, on its own thread: classifying each row against the last
/// accepted snapshot (SQLite lookups and inserts) and spooling the changed ones (deflate, SM3), while the
/// first stage keeps reading, mapping and validating. Rows go through in order, in chunks; at most two
/// chunks wait, so memory stays bounded whatever the source's size.
final class SnapshotPipeline: @unchecked Sendable {
    /// One row ready to classify: its canonical record, encoded line, key values and the line's SM3.
    struct Row {
        var record: CanonicalRecord
        var line: [UInt8]
        var key: [String]
        var digest: [UInt8]
    }

    static let chunkRows = 2048
    private let queue = DispatchQueue(label: "gongxiang.provider.snapshot")
    private let slots = DispatchSemaphore(value: 2)
    private let group = DispatchGroup()
    // Touched only on `queue` until `finish`, which waits for it: the queue orders every access.
    private let diff: SnapshotDiff
    private let spooler: BatchSpooler
    private let full: Bool
    /// The second stage's first error; read by the first stage without waiting for the queue.
    private let failure = NIOLockedValueBox<(any Error)?>(nil)
    /// The first stage's rows not yet handed over.
    private var chunk: [Row] = []

    init(diff: SnapshotDiff, spooler: BatchSpooler, full: Bool) {
        self.diff = diff
        self.spooler = spooler
        self.full = full
        chunk.reserveCapacity(Self.chunkRows)
    }

    /// Adds a row; hands a full chunk to the second stage, waiting while two are already queued. Throws the
    /// second stage's first error, so the first stage stops reading.
    func add(_ row: Row) throws {
        chunk.append(row)
        guard chunk.count >= Self.chunkRows else { return }
        try handOver()
    }

    /// Hands over what is left, waits for the second stage to finish, and throws its first error.
    func finish() throws {
        try handOver()
        group.wait()
        if let failure = failure.withLockedValue({ $0 }) { throw failure }
    }

    /// After the first stage failed: drops what is queued and waits until the second stage is idle, so
    /// nothing touches the snapshot store or the spool after the pass has ended.
    func abandon() {
        failure.withLockedValue { if $0 == nil { $0 = CancellationError() } }
        group.wait()
    }

    private func handOver() throws {
        if let failure = failure.withLockedValue({ $0 }) { throw failure }
        guard !chunk.isEmpty else { return }
        let rows = chunk
        chunk.removeAll(keepingCapacity: true)
        slots.wait()
        queue.async(group: group) { [self] in
            defer { slots.signal() }
            guard failure.withLockedValue({ $0 == nil }) else { return }
            do {
                for row in rows {
                    let change = try diff.observe(key: row.key, digest: row.digest)
                    if full || change != .unchanged {
                        try spooler.append(row.record, encoded: row.line, cursor: nil)
                    }
                }
            } catch {
                failure.withLockedValue { if $0 == nil { $0 = error } }
            }
        }
    }
}
