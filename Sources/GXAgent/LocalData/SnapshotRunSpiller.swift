import Dispatch

/// Sorts and writes a pass's full runs on a thread of its own, so the pass keeps reading while a run goes
/// to disk: two runs take turns, one filling while the other is sorted and written. Sorting and writing a
/// 32 MiB run in line stopped every stage of a provider's pass for about a quarter of a second.
///
/// Not thread-safe: one pass's thread calls it. The run being written is touched by the spill thread only,
/// from `spill` until the next `finishWriting`.
final class SnapshotRunSpiller: @unchecked Sendable {
    private let queue = DispatchQueue(label: "gongxiang.snapshot.spill")
    private let group = DispatchGroup()
    /// The run handed over last: being written, or written and empty again (its memory kept for the next).
    private var writing: SnapshotRun
    private var failure: LocalDataError?

    /// `capacity` as the pass's own run: the two runs swap.
    init(capacity: Int) {
        writing = SnapshotRun(capacity: capacity)
    }

    /// Hands the full `run` over to be sorted and written to `path`, and leaves in its place the run written
    /// before it, empty — waiting for that one's writing to end first. Throws an earlier spill's error.
    func spill(_ run: inout SnapshotRun, to path: String, kind: SnapshotDigestKind) throws(LocalDataError) {
        try finishWriting()
        swap(&run, &writing)
        queue.async(group: group) { [self] in
            do throws(LocalDataError) {
                try writing.writeSorted(to: path, kind: kind)
            } catch {
                failure = error
            }
        }
    }

    /// Waits until the run handed over last is on disk; throws the error of any spill.
    func finishWriting() throws(LocalDataError) {
        group.wait()
        if let failure { throw failure }
    }
}
