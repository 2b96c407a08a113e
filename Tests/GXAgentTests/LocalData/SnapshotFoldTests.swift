import Foundation
import GXDomain
import Testing
@testable import GXAgent

/// Batches the hub accepted from a pass that never committed are folded into the snapshot, so the next
/// pass does not send their rows again (issue 14: a crashed pass was pushed twice).
@Suite("Snapshot fold of accepted batches")
struct SnapshotFoldTests {
    static let items = ["id", "name"]

    static func line(_ values: [String?]) -> [UInt8] {
        CanonicalRecord(operation: .upsert, values: values).canonicalLine
    }

    /// Commits a pass holding exactly `rows` (id, name), digested as the provider digests them.
    static func accept(_ store: SnapshotDigestStore, _ rows: [[String?]]) throws {
        let diff = try store.beginDiff(resource: "people")
        for row in rows { try diff.observe(key: [row[0]!], digest: SnapshotDigestKind.sha256.digest(line(row)), line: line(row)) }
        try diff.compare(onChange: { _, _ in }, onDelete: { _ in })
        try diff.commit()
    }

    /// A spooled batch of `records`, as the provider writes it.
    static func batch(_ records: [CanonicalRecord], in scratch: LocalDataScratch, name: String) throws -> SnapshotDigestStore.AcceptedPayload {
        let encoder = try BatchPayloadEncoder()
        for record in records { try encoder.append(record) }
        try encoder.finish()
        let file = try scratch.write(name, encoder.takeWire())
        let digests = encoder.digests()
        let manifest = BatchManifest(provider: "111100000000210552", resourceCode: "RK-001", schemaVersion: "1.0", sequence: 1, items: items,
                                     changes: ChangeRange(mode: .snapshot, generation: 2, full: false), counts: encoder.counts, quarantine: [],
                                     records: digests.records, wire: digests.wire, createdAt: "2026-12-04T01:00:00.000Z")
        return SnapshotDigestStore.AcceptedPayload(file: file, manifest: manifest)
    }

    /// What the next pass over `rows` finds against the snapshot.
    static func nextPass(_ store: SnapshotDigestStore, _ rows: [[String?]]) throws -> (SnapshotComparison, [String]) {
        let diff = try store.beginDiff(resource: "people")
        for row in rows { try diff.observe(key: [row[0]!], digest: SnapshotDigestKind.sha256.digest(line(row)), line: line(row)) }
        var changed: [String] = []
        let comparison = try diff.compare(onChange: { _, line in changed.append(String(decoding: line, as: UTF8.self)) },
                                          onDelete: { changed.append("delete \($0[0])") })
        return (comparison, changed)
    }

    @Test("after folding the accepted batches, the next pass over the same source finds nothing left to send")
    func foldedRowsAreNotSentAgain() throws {
        let scratch = try LocalDataScratch()
        let store = try SnapshotDigestStore(directory: scratch.file("snapshots"))
        try Self.accept(store, [["1", "A"], ["2", "B"], ["3", "C"]])
        // The crashed pass: 2 changed, 4 new, 3 gone — all accepted by the hub before the agent was killed.
        let accepted = try Self.batch([CanonicalRecord(operation: .upsert, values: ["2", "B2"]), CanonicalRecord(operation: .upsert, values: ["4", "D"]),
                                       CanonicalRecord(operation: .delete, values: ["3", nil])], in: scratch, name: "batch-1")
        #expect(try store.fold(resource: "people", batches: [accepted], items: Self.items, keyIndices: [0], keyring: nil) == 3)
        let (comparison, changed) = try Self.nextPass(store, [["1", "A"], ["2", "B2"], ["4", "D"]])
        #expect(changed.isEmpty, "\(changed)")
        #expect(comparison.unchanged == 3)
    }

    @Test("folding the same batches twice changes nothing, and rows the batches did not carry are still sent")
    func foldIsIdempotentAndPartial() throws {
        let scratch = try LocalDataScratch()
        let store = try SnapshotDigestStore(directory: scratch.file("snapshots"))
        try Self.accept(store, [["1", "A"], ["2", "B"]])
        let accepted = try Self.batch([CanonicalRecord(operation: .upsert, values: ["1", "A1"])], in: scratch, name: "batch-1")
        _ = try store.fold(resource: "people", batches: [accepted], items: Self.items, keyIndices: [0], keyring: nil)
        _ = try store.fold(resource: "people", batches: [accepted], items: Self.items, keyIndices: [0], keyring: nil)
        #expect(try store.count(resource: "people") == 2)
        // The pass had also changed 2 and added 3; those never reached the hub and go now.
        let (_, changed) = try Self.nextPass(store, [["1", "A1"], ["2", "B2"], ["3", "C"]])
        #expect(changed == [#"["u","2","B2"]"# + "\n", #"["u","3","C"]"# + "\n"], "\(changed)")
    }
}
