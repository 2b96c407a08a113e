import Dispatch

/// Makes files durable (`fsync`) on a thread of its own. A pass writes its next snapshot and row memory
/// when it compares, but needs them on disk only when it commits, after the hub has accepted its last
/// batch: syncing them meanwhile lets that batch go out while the disk catches up (at 10 M rows the two
/// files are over a gigabyte).
final class BackgroundFileSync: @unchecked Sendable {
    private let queue = DispatchQueue(label: "gongxiang.snapshot.sync")
    private let group = DispatchGroup()
    /// Written by the sync thread, read after `wait`.
    private var failure: LocalDataError?

    /// Starts syncing the file at `path` (already written and closed).
    func sync(_ path: String) {
        queue.async(group: group) { [self] in
            do throws(LocalDataError) {
                let file = try POSIXFile.openForReading(path)
                defer { try? file.close() }
                try file.sync()
            } catch {
                if failure == nil { failure = error }
            }
        }
    }

    /// Waits until every file handed over is on disk; throws the first failure.
    func wait() throws(LocalDataError) {
        group.wait()
        if let failure { throw failure }
    }
}
