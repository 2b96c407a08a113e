import Foundation
import GXCrypto

/// Where the hub keeps payloads — pushed batches, their deliveries, verification requests and answers —
/// sealed at rest under its data keys (SM4-CTR + HMAC-SM3). Two places: files in the batch directory
/// (`FilePayloadStore`, a SQLite hub's), or rows of the PostgreSQL database beside the rows that name them
/// (`PostgresPayloadStore`), so the database alone is the whole hub and hub processes share no disk.
///
/// A payload is written under a provisional name no row names, kept under its name in the commit that
/// records the row naming it (`keeping`), and deleted in the commit that stops naming it (`deleting`): in
/// the database within that same transaction; as files just before it (a rename) or just after it (unlink).
public protocol PayloadStore: Sendable {
    /// Where payloads are kept, for messages: "the batch directory", "the database".
    var place: String { get }

    /// Starts a new payload under a provisional name, sealed under `key` (nil keeps it plain).
    func create(sealingWith key: DataKey?) async throws -> any PayloadWriter

    /// Opens a kept payload for streaming. With a keyring, one that is missing, not sealed, or whose seal
    /// does not hold is refused (`CryptoError`) before a byte of it is handed out.
    func open(_ name: String, keyring: DataKeyring?) async throws -> any PayloadReader

    /// The changes that keep the finished upload `provisional` as `name`, to commit with the row that names
    /// it. The database renames it in that commit; files are renamed now and need none.
    func keeping(_ provisional: String, as name: String) async throws -> [HubChange]

    /// After the commit of `keeping` failed: deletes the upload, and the file kept as `name` if given (nil
    /// when `name` is another process's, as an identical resend's is). The database only ever deletes the
    /// upload: its rename was rolled back.
    func forget(_ provisional: String, keptAs name: String?) async

    /// The changes that delete `names` in the commit that stops naming them: the database deletes them in
    /// it; files are deleted after it, by `deleted(_:)`.
    func deleting(_ names: [String]) -> [HubChange]

    /// After the commit of `deleting(_:)`: deletes the files; the database has nothing left to do.
    func deleted(_ names: [String]) async

    /// Deletes kept payloads now, on their own: no row names them (a delivery another process filed first).
    func delete(_ names: [String]) async

    /// The kept payloads' names (not uploads in progress), in name order.
    func names() async throws -> [String]

    /// Deletes uploads cut off by a crash: those of processes on this host that no longer run, and any other
    /// nobody has written to for `age`. None of them was ever accepted.
    func removeAbandonedUploads(olderThan age: TimeInterval) async
}

/// Names uploads in progress by process: `incoming/<host>-<pid>/…`, so processes sharing a store never touch
/// each other's, and a process that died is recognised.
public enum PayloadUploads {
    public static let processTag = "\(ProcessInfo.processInfo.hostName)-\(getpid())"
    public static let prefix = "incoming/"

    /// Whether the uploads of `tag` (another process's) may be deleted now: its process on this host is gone.
    static func processIsGone(_ tag: String) -> Bool {
        let host = ProcessInfo.processInfo.hostName + "-"
        guard tag != processTag, tag.hasPrefix(host), let pid = pid_t(tag.dropFirst(host.count)) else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }

    /// Whether `tag` names a process on this host (whose liveness `processIsGone` tells).
    static func isLocal(_ tag: String) -> Bool {
        let host = ProcessInfo.processInfo.hostName + "-"
        return tag.hasPrefix(host) && pid_t(tag.dropFirst(host.count)) != nil
    }
}
