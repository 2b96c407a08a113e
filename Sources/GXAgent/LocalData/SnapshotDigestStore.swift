import Foundation

/// The agent's memory of the last accepted snapshot of each resource read by snapshot diff (sources with
/// no trustworthy cursor, such as export files): every key with the digest of its canonical record, in one
/// file per resource sorted by key, under `state/snapshots/`.
///
/// A pass never looks the snapshot up row by row: it sorts its own rows into runs beside it and merges
/// them with the snapshot in one sequential read (`SnapshotDiff.compare`), writing the next snapshot as it
/// goes; `commit()` renames that into place once the hub has accepted the pass. Memory stays flat whatever
/// the source's size; while a pass runs it needs disk for about the source's canonical size. Not
/// thread-safe: use the store and its diffs from one thread at a time.
public final class SnapshotDigestStore {
    public let directory: String
    /// The SQLite database in which agents kept snapshots before these files; a resource's snapshot there
    /// moves into its file on the resource's next pass.
    let legacyDatabase: String?
    /// Bytes of a pass's rows sorted in memory before they go to a run file. A pass holds two runs, one
    /// filling while the other is written (`SnapshotRunSpiller`).
    let runBytes: Int

    public init(directory: String, legacyDatabase: String? = nil, runBytes: Int = 16 << 20) throws(LocalDataError) {
        self.directory = directory
        self.legacyDatabase = legacyDatabase
        self.runBytes = runBytes
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw LocalDataError(location: directory, reason: "cannot create the snapshot directory: \(error.localizedDescription)")
        }
    }

    /// Starts comparing a new pass over `resource`'s source with its last accepted snapshot. The pass
    /// digests its rows with SHA-256, unless it must be compared row by row with an SM3 snapshot (not
    /// `full`), and the snapshot it writes keeps that kind.
    ///
    /// With `rowRules` (a `SourceRowMemory.rules` fingerprint; sources read as bytes) the pass remembers what
    /// each row became, and — unless `full` or the snapshot is empty — recalls the rows of the last accepted
    /// pass made under the same rules (`SnapshotDiff.recall`): the pass must then observe only the rows it
    /// did not recall.
    ///
    /// Abandons any earlier unfinished pass over the same resource (its `SnapshotDiff` then fails).
    public func beginDiff(resource: String, full: Bool = false, rowRules: [UInt8]? = nil) throws(LocalDataError) -> SnapshotDiff {
        guard !resource.isEmpty else { throw LocalDataError(location: directory, reason: "resource name is empty") }
        let snapshot = snapshotPath(resource)
        try removeUnfinishedPasses(resource)
        try importLegacySnapshot(resource: resource, to: snapshot)
        let pass = snapshot + Self.passInfix + UUID().uuidString
        do {
            try FileManager.default.createDirectory(atPath: pass, withIntermediateDirectories: false,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw LocalDataError(location: pass, reason: "cannot create the pass directory: \(error.localizedDescription)")
        }
        let previous = POSIXFile.exists(snapshot) ? try SnapshotFileReader(path: snapshot, checksOrder: false, bufferSize: 64) : nil
        let kind: SnapshotDigestKind = previous?.kind == .sm3 && !full ? .sm3 : .sha256
        var recall: SourceRowRecall?
        var memory: SourceRowMemoryWriter?
        if let rowRules {
            let fingerprint = SourceRowMemory.fingerprint(rules: rowRules, kind: kind)
            // A pass over an empty snapshot spools every row as it is read: nothing to recall.
            if !full, let previous, previous.count > 0 {
                recall = try SourceRowRecall.open(path: SourceRowMemory.path(snapshot: snapshot), fingerprint: fingerprint,
                                                  directory: pass, kind: kind)
            }
            memory = try SourceRowMemoryWriter(path: pass + "/next.rows", fingerprint: fingerprint)
        }
        return try SnapshotDiff(resource: resource, snapshotPath: snapshot, passDirectory: pass, runBytes: runBytes,
                                previousCount: previous?.count ?? 0, digestKind: kind, recall: recall, rowMemory: memory)
    }

    /// Drops `resource`'s row memory, so its next pass maps every row: for anything that changes the
    /// snapshot outside a pass.
    func forgetRowMemory(resource: String) throws(LocalDataError) {
        try POSIXFile.removeIfPresent(SourceRowMemory.path(snapshot: snapshotPath(resource)))
    }

    /// Number of keys in the last accepted snapshot.
    public func count(resource: String) throws(LocalDataError) -> Int {
        let path = snapshotPath(resource)
        guard POSIXFile.exists(path) else { return 0 }
        return try SnapshotFileReader(path: path, checksOrder: false, bufferSize: 64).count
    }

    func snapshotPath(_ resource: String) -> String {
        directory + "/" + Self.fileName(resource) + ".snapshot"
    }

    static let passInfix = ".pass-"

    private func removeUnfinishedPasses(_ resource: String) throws(LocalDataError) {
        let prefix = Self.fileName(resource) + ".snapshot" + Self.passInfix
        do {
            for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name.hasPrefix(prefix) {
                try FileManager.default.removeItem(atPath: directory + "/" + name)
            }
        } catch {
            throw LocalDataError(location: directory, reason: "cannot remove an unfinished pass: \(error.localizedDescription)")
        }
    }

    /// A file name for any resource code: letters, digits, `-` and `_` as they are, every other byte as %XX.
    static func fileName(_ resource: String) -> String {
        var name = ""
        for byte in resource.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"):
                name.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                name += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return name
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
