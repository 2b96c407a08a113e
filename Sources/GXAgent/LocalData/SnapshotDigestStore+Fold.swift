import Foundation
import GXCrypto
import GXDomain

extension SnapshotDigestStore {
    /// A batch the hub accepted from a pass whose snapshot was never committed: its spooled payload and
    /// its manifest.
    struct AcceptedPayload {
        var file: String
        var manifest: BatchManifest
    }

    /// Folds the records of `batches` — accepted by the hub from a pass that stopped before its snapshot
    /// moved (the agent was killed, or a later batch was refused) — into `resource`'s snapshot: an
    /// upserted key takes its row's digest, a deleted key leaves. The next pass then sends only what those
    /// batches did not, so a crash costs no batch the hub already has. Folding the same batches twice
    /// changes nothing, so a crash during the fold only means folding again. Returns the records folded.
    ///
    /// `keyIndices` are the positions of the key items among `items`; a batch of other items is left out
    /// (its rows are simply diffed again).
    /// `keyring` opens the spooled payloads (sealed by the agent's data keys; nil for plain files).
    func fold(resource: String, batches: [AcceptedPayload], items: [String], keyIndices: [Int], keyring: DataKeyring?) throws -> Int {
        let snapshot = snapshotPath(resource)
        try importLegacySnapshot(resource: resource, to: snapshot)
        let previous = POSIXFile.exists(snapshot) ? try SnapshotFileReader(path: snapshot, checksOrder: true) : nil
        // The snapshot keeps its digest kind: the next pass compares row by row with it.
        let kind = previous?.kind ?? .sha256
        let work = snapshot + ".fold"
        try? FileManager.default.removeItem(atPath: work)
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: work) }
        var run = SnapshotRun(capacity: min(runBytes, 8 << 20) + (1 << 20))
        var runPaths: [String] = []
        let digester = kind.digester()
        let noDigest = [UInt8](repeating: 0, count: SnapshotFileFormat.digestLength)
        var folded = 0
        for batch in batches where batch.manifest.items == items {
            let decoder = try BatchPayloadDecoder(valueCount: items.count, maximumRecordBytes: Int(batch.manifest.records.bytes))
            let input = try PayloadFileReader(path: batch.file, keyring: keyring)
            defer { input.close() }
            while case let chunk = try input.read(upTo: 256 * 1024), !chunk.isEmpty {
                try decoder.consume(chunk) { record, _ in
                    let key = SnapshotKey.encode(record.values, at: keyIndices)
                    switch record.operation {
                    case .upsert:
                        SnapshotRowDigest(of: record.canonicalLine, by: digester).withUnsafeBytes { run.append(key: key, digest: $0, line: []) }
                    case .delete:
                        // A deleted key is kept in the run with a one-byte line, which no snapshot entry has.
                        noDigest.withUnsafeBytes { run.append(key: key, digest: $0, line: Self.deletedMark) }
                    }
                    folded += 1
                    if run.byteCount >= runBytes {
                        runPaths.append(work + "/run-\(runPaths.count + 1)")
                        try run.writeSorted(to: runPaths.last!, kind: kind)
                    }
                }
            }
            _ = try decoder.finish()
        }
        if !run.isEmpty {
            runPaths.append(work + "/run-\(runPaths.count + 1)")
            try run.writeSorted(to: runPaths.last!, kind: kind)
        }
        guard !runPaths.isEmpty else { return 0 }
        var readers: [SnapshotFileReader] = []
        for path in runPaths { readers.append(try SnapshotFileReader(path: path, checksOrder: false)) }
        let merger = SnapshotRunMerger(runs: readers)
        let next = try SnapshotFileWriter(path: work + "/next.snapshot", kind: kind)
        let noLine = UnsafeRawBufferPointer(start: nil, count: 0)
        while true {
            let old = previous?.hasEntry == true ? previous : nil
            guard let change = merger.current else {
                guard let old else { break }
                try next.append(key: old.key, digest: old.digest, line: noLine)
                try old.advance()
                continue
            }
            if let old, SnapshotKeyOrder.compare(old.key, change.key) < 0 {
                try next.append(key: old.key, digest: old.digest, line: noLine)
                try old.advance()
                continue
            }
            let key = Array(change.key)
            if let old, key.withUnsafeBytes({ SnapshotKeyOrder.compare(old.key, $0) }) == 0 { try old.advance() }
            if change.line.isEmpty {
                try key.withUnsafeBytes { try next.append(key: $0, digest: change.digest, line: noLine) }
            }
            // A key in two accepted batches (it cannot be, within one pass) is taken once.
            try merger.advance()
            while let same = merger.current, key.withUnsafeBytes({ SnapshotKeyOrder.compare(same.key, $0) }) == 0 { try merger.advance() }
        }
        try next.finish(durable: true)
        // The rows the last pass remembered may differ from the snapshot now: the next pass maps them all.
        try forgetRowMemory(resource: resource)
        try POSIXFile.rename(work + "/next.snapshot", over: snapshot)
        try POSIXFile.syncDirectory(containing: snapshot)
        return folded
    }

    static let deletedMark: [UInt8] = [UInt8(ascii: "-")]
}
