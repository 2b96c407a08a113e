import Foundation
import GXCrypto
import GXDomain

/// Cuts a provider's outgoing records into batches of at most `batchRecords`, writing each payload to a
/// spool file as it goes and, when a batch is complete, signing its manifest and recording it as pending
/// in the agent state — so after a crash it is resent with the very same manifest.
final class BatchSpooler {
    struct Plan {
        var directory: String
        var provider: String
        var entry: CatalogueEntry
        var items: [String]
        var firstSequence: Int64
        var batchRecords: Int
        var mode: ChangeRange.Mode
        var generation: Int64?
        var full: Bool
        var cursorFrom: String?
        /// Seals spool files at rest (the agent's current data key); nil writes them plain.
        var sealing: DataKey? = nil
    }

    private let plan: Plan
    private let key: SM2PrivateKey
    private let state: AgentState
    private var sequence: Int64
    private var encoder: BatchPayloadEncoder?
    private var handle: PayloadFileWriter?
    private var file: URL?
    private var cursorFrom: String?
    private var cursorTo: String?
    /// The open batch's payload as written to its spool file, in the pieces written, while `memory` has room
    /// for it. Pieces rather than one growing array: no doubling copies, nothing larger than a piece to free.
    private var copy: [[UInt8]]?
    private var copied = 0
    private let memory: SpoolMemory?
    /// Called with each batch once it is signed and recorded as pending, on the thread that closed it, with
    /// its payload when it was kept in memory (the receiver gives those bytes back to `memory`).
    var onSpooled: ((AgentState.PendingBatch, SpooledPayload?) -> Void)?

    init(plan: Plan, key: SM2PrivateKey, state: AgentState, memory: SpoolMemory? = nil) throws {
        self.plan = plan
        self.key = key
        self.state = state
        self.memory = memory
        sequence = plan.firstSequence
        cursorFrom = plan.cursorFrom
        try FileManager.default.createDirectory(atPath: plan.directory, withIntermediateDirectories: true)
    }

    func append(_ record: CanonicalRecord, cursor: SourceCursor?) throws {
        if encoder == nil { try open() }
        try encoder!.append(record)
        if let cursor { cursorTo = try Self.text(of: cursor) }
        try cut()
    }

    /// Appends a record already in its canonical line.
    func append(encoded line: [UInt8], operation: RecordOperation) throws {
        if encoder == nil { try open() }
        try encoder!.append(encoded: line, operation: operation)
        try cut()
    }

    /// Writes out compressed bytes as they accumulate and closes the batch once it is full.
    private func cut() throws {
        if encoder!.pendingWireBytes >= 256 * 1024 { try write(encoder!.takeWire()) }
        if encoder!.counts.records >= plan.batchRecords { try close(quarantine: [], quarantined: 0, endsPass: false) }
    }

    /// Writes compressed bytes to the spool file, and to the memory copy while the allowance lasts.
    private func write(_ wire: [UInt8]) throws {
        try handle!.write(wire)
        guard copy != nil, let memory else { return }
        if memory.take(wire.count) {
            copy!.append(wire)
            copied += wire.count
        } else {
            memory.give(copied)
            copy = nil
        }
    }

    /// Closes the last batch, carrying the pass's data-quality findings and the end-of-pass mark. A pass
    /// always ends with a batch, even an empty one, so the hub and following consumers see that it ended.
    func finish(quarantine: [QualityFinding], quarantined: Int64) throws {
        if encoder == nil { try open() }
        try close(quarantine: quarantine, quarantined: quarantined, endsPass: true)
    }

    private func open() throws {
        let url = URL(fileURLWithPath: plan.directory).appendingPathComponent("\(plan.entry.resourceCode)-\(sequence)-\(UUID().uuidString.prefix(8)).deflate")
        do { handle = try PayloadFileWriter(path: url.path, sealingWith: plan.sealing) } catch {
            throw AgentError.localData("cannot create spool file \(url.path): \(error)")
        }
        file = url
        encoder = try BatchPayloadEncoder()
        copy = memory == nil ? nil : []
        copied = 0
    }

    private func close(quarantine: [QualityFinding], quarantined: Int64, endsPass: Bool) throws {
        guard let encoder, let handle, let file else { return }
        try encoder.finish()
        try write(encoder.takeWire())
        try handle.finish()
        let digests = encoder.digests()
        var counts = encoder.counts
        counts.quarantined = quarantined
        let manifest = BatchManifest(provider: plan.provider, resourceCode: plan.entry.resourceCode, schemaVersion: plan.entry.schemaVersion,
                                     sequence: sequence, items: plan.items,
                                     changes: ChangeRange(mode: plan.mode, cursorFrom: plan.mode == .cursor ? cursorFrom : nil,
                                                          cursorTo: plan.mode == .cursor ? cursorTo ?? cursorFrom : nil,
                                                          generation: plan.generation, full: plan.full),
                                     counts: counts, quarantine: quarantine, records: digests.records, wire: digests.wire,
                                     createdAt: Timestamp.string(from: Date()), endsPass: endsPass ? true : nil)
        let signed = try SignedDocument(signing: manifest, with: key)
        let pending = AgentState.PendingBatch(resource: plan.entry.resourceCode, sequence: sequence, manifestBase64: signed.base64Content,
                                              signatureBase64: signed.base64Signature, payload: file.path,
                                              cursorTo: plan.mode == .cursor ? (cursorTo ?? cursorFrom) : nil)
        try state.addPending(pending)
        let payload = copy.map { SpooledPayload(pieces: $0, count: copied) }
        copy = nil
        if let onSpooled { onSpooled(pending, payload) } else if let payload { memory?.give(payload.count) }
        sequence += 1
        cursorFrom = cursorTo ?? cursorFrom
        self.encoder = nil
        self.handle = nil
        self.file = nil
    }

    static func text(of cursor: SourceCursor) throws -> String {
        String(decoding: try CanonicalJSON(encoding: cursor).canonicalBytes, as: UTF8.self)
    }
}

/// A spooled batch's payload kept in memory: the pieces as they were written to its spool file.
struct SpooledPayload: Sendable {
    var pieces: [[UInt8]]
    /// Bytes in all.
    var count: Int

    var bytes: [UInt8] { pieces.flatMap { $0 } }
}
