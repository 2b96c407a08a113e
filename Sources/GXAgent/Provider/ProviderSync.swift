import Foundation
import GXCrypto
import GXDomain
import Logging

/// One night's work for one provided resource: resend anything spooled but not accepted, read the local
/// source, map and validate each row (quarantining what breaks the catalogue), detect changes, spool
/// signed batches and push them. Checkpoints move only after the hub has accepted.
struct ProviderSync {
    let configuration: AgentConfiguration
    let configText: String
    let configSource: String
    let client: AgentHubClient
    let state: AgentState
    let key: SM2PrivateKey
    let logger: Logger

    func run(_ resource: ProvidedResource, full: Bool) async throws -> ProviderReport {
        let code = resource.resource
        var report = ProviderReport(resource: code)
        await logOpenObjections(against: code)
        // A previous run may have spooled batches it could not push: they go first, unchanged — unless the
        // agency rotated its key since, when the same manifest is signed again with the key now in force.
        for pending in try state.pending(resource: code) {
            try await push(try signedWithCurrentKey(pending), awaitingSnapshot: resource.source.cursor == nil, into: &report)
        }
        let source = try await LocalData.source(resource.source)
        do {
            let report = try await run(resource, full: full, source: source, into: report)
            await source.close()
            return report
        } catch {
            await source.close()
            throw error
        }
    }

    func run(_ resource: ProvidedResource, full: Bool, source: any RecordSource, into report: ProviderReport) async throws -> ProviderReport {
        let code = resource.resource
        var report = report
        let entry: CatalogueEntry = try await client.get("/v1/catalogue/\(client.escape(code))")
        let list: ExchangeAPI.BatchList = try await client.get("/v1/resources/\(client.escape(code))/batches?after=\(Int64.max)")
        let items = entry.items.map(\.name)
        let columns: [String]
        do { columns = try source.columns() } catch { throw AgentError.localData("\(error)") }
        /// A mapper and a validator of their own, so threads checking rows at once share nothing.
        func makeRules() throws -> (RecordMapper, RecordValidator) {
            do {
                return (try RecordMapper.outgoing(resource.map, columns: columns, columnsSource: resource.source.label, entry: entry,
                                                  items: items, configText: configText, configSource: configSource),
                        try RecordValidator(entry: entry, items: items))
            } catch {
                throw AgentError.configuration(error.description)
            }
        }
        /// Maps and validates one source row.
        func makeChecker(_ rules: (RecordMapper, RecordValidator)) -> @Sendable (SourceRow) -> Result<CanonicalRecord, RecordViolation> {
            let (mapper, validator) = rules
            return { row in
                do throws(RecordViolation) {
                    let record = CanonicalRecord(operation: .upsert, values: try mapper.map(row.values))
                    if let violation = validator.violation(in: record) { return .failure(violation) }
                    return .success(record)
                } catch {
                    return .failure(error)
                }
            }
        }
        let firstRules = try makeRules()
        let checked = makeChecker(firstRules)
        let keyIndices: [Int]
        do { keyIndices = try RecordValidator(entry: entry, items: items).keyIndices } catch { throw AgentError.configuration(error.description) }
        let cursorMode = resource.source.cursor != nil
        if full, cursorMode { try state.resetCursor(resource: code) }
        let cursorText = cursorMode ? try state.cursor(resource: code) : nil
        let cursor = try cursorText.map { try JSONDecoder().decode(SourceCursor.self, from: Data($0.utf8)) }
        let generation = cursorMode ? nil : try state.nextGeneration(resource: code)
        let spoolMemory = SpoolMemory()
        let spooler = try BatchSpooler(plan: .init(directory: configuration.stateDirectory + "/spool", provider: configuration.agency, entry: entry,
                                                   items: items, firstSequence: list.lastSequence + 1, batchRecords: resource.batchRecords,
                                                   mode: cursorMode ? .cursor : .snapshot, generation: generation,
                                                   full: full || (cursorMode ? cursor == nil : false), cursorFrom: cursorText,
                                                   sealing: client.dataKeys?.current),
                                       key: key, state: state, memory: spoolMemory)
        // Each batch goes to the hub as soon as it is spooled, while the pass reads on — from memory while
        // the pass's allowance holds it, so the push does not read back what was just sealed.
        let (spooledBatches, spooledStream) = AsyncStream.makeStream(of: (pending: AgentState.PendingBatch, payload: SpooledPayload?).self)
        spooler.onSpooled = { spooledStream.yield(($0, $1)) }
        let pushing = Task {
            var pushed = ProviderReport(resource: code)
            for await spooled in spooledBatches {
                defer { if let payload = spooled.payload { spoolMemory.give(payload.count) } }
                try await push(spooled.pending, payload: spooled.payload, awaitingSnapshot: !cursorMode, into: &pushed)
            }
            return pushed
        }
        defer { pushing.cancel() }
        var quarantine = Quarantine(path: configuration.stateDirectory + "/quarantine/\(code).csv", resource: code, sealing: client.dataKeys?.current)
        let snapshots = cursorMode ? nil : try SnapshotDigestStore(directory: configuration.stateDirectory + "/snapshots",
                                                                   legacyDatabase: configuration.stateDirectory + "/snapshots.sqlite")
        if let snapshots { try foldAcceptedBatches(resource: code, into: snapshots, items: items, keyIndices: keyIndices) }
        // A CSV export is read as bytes: a row is mapped, checked and encoded without a String per value,
        // and only a row the byte path is unsure of goes through the String path (same line, same violation).
        let byteSource = source as? any ByteRowSource
        let diff = try snapshots?.beginDiff(resource: code, full: full, rowRules: byteSource == nil ? nil : SourceRowMemory.rules(
            configText: configText, entry: entry, columns: columns, items: items))
        let digestKind = diff?.digestKind ?? .sha256
        var rowNumber: Int64 = 0
        let progress = ProgressDisplay("\(code) reading \(resource.source.label)", logger: logger)
        let handle: (SourceRow) throws -> Void
        var scan: (() async throws -> Void)? = nil
        let stages: [any FinishingStage]
        // A full or first pass spools every row as it is read; the comparison then only finds deletes.
        let spoolsAsRead = full || diff?.previousCount == 0
        if let diff {
            // Snapshot mode: reading; recognising rows unchanged since the last pass by their bytes (when it
            // left a memory); preparing (map, validate, encode, digest) the others on one worker per core (each
            // with its own mapper and validator), results kept in source order; keeping (sorted runs); and,
            // when every row goes, spooling (deflate and SM3 of the batches) — each on its own threads.
            let spooling = spoolsAsRead ? PipelineStage<[UInt8], [UInt8]>(label: "gongxiang.provider.spool") { lines in
                for line in lines { try spooler.append(encoded: line, operation: .upsert) }
            } : nil
            // Rows are read in place by index, not copied out one by one (each copy retains a line and a key
            // made on another core); the same in `emit` below.
            let keeping = PipelineStage<SnapshotRow, SnapshotRow>(label: "gongxiang.provider.keep") { rows in
                for index in rows.indices {
                    try diff.observe(encodedKey: rows[index].key, digest: rows[index].digest, line: spoolsAsRead ? [] : rows[index].line)
                    try spooling?.add(rows[index].line)
                }
            }
            let workers = max(1, min(4, ProcessInfo.processInfo.activeProcessorCount))
            let rowMemory = diff.rowMemory
            let preparers = try (0..<workers).map { worker in
                RowPreparer(rules: worker == 0 ? firstRules : try makeRules(), keyIndices: keyIndices, digester: digestKind.digester(),
                            bytes: byteSource != nil, remembering: rowMemory != nil)
            }
            let preparing = PipelineStage<PreparingRow, PreparedRow>(
                label: "gongxiang.provider.prepare",
                transforms: preparers.map { preparer in { row in preparer.prepare(row) } },
                emit: { rows in
                    for index in rows.indices {
                        switch rows[index] {
                        case .prepared(.success(let row), let source):
                            rowNumber += 1
                            if let rowMemory, let source { try rowMemory.append(source, keptAs: row.key) }
                            try keeping.add(row)
                        case .prepared(.failure(let violation), let source):
                            rowNumber += 1
                            if let rowMemory, let source { try rowMemory.append(source, keptAs: nil) }
                            try quarantine.add(row: rowNumber, violation: violation)
                        case .recalled(let recalled):
                            rowNumber += Int64(recalled.count)
                            try rowMemory?.append(remembered: recalled.entries)
                        }
                    }
                })
            // Rows recalled from the last pass skip the mapping and the sorting: the snapshot holds them
            // unchanged (`SnapshotDiff.compare`). A row the memory does not recall, or recalls as quarantined,
            // is prepared.
            let recognising = (spoolsAsRead ? nil : diff.recall).map { recall in
                PipelineStage<RowBytes, (row: RowBytes, source: SourceRowDigest)>(
                    label: "gongxiang.provider.recognise",
                    transforms: (0..<workers).map { _ in
                        let digester = LineDigester(.sha256)
                        return { row in (row, SourceRowDigest(of: row, by: digester)) }
                    },
                    emit: { rows in
                        // Consecutive recalled rows go on as one item, their memory entries copied as stored.
                        var recalled = RecalledRows()
                        for index in rows.indices {
                            let source = rows[index].source
                            if try recall.recall(source, appendingTo: &recalled.entries) {
                                recalled.count += 1
                            } else {
                                if recalled.count > 0 {
                                    try preparing.add(.recalled(recalled))
                                    recalled = RecalledRows()
                                }
                                try preparing.add(.bytes(rows[index].row, source))
                            }
                        }
                        if recalled.count > 0 { try preparing.add(.recalled(recalled)) }
                    })
            }
            stages = (recognising.map { [$0] } ?? []) + [preparing, keeping] + (spooling.map { [$0] } ?? [])
            handle = { row in
                progress.advance()
                try preparing.add(.text(row))
            }
            if let byteSource {
                scan = {
                    try byteSource.scanBytes { row in
                        progress.advance()
                        if let recognising { try recognising.add(row) } else { try preparing.add(.bytes(row, nil)) }
                    }
                }
            }
        } else {
            stages = []
            handle = { row in
                progress.advance()
                rowNumber += 1
                switch checked(row) {
                case .success(let record): try spooler.append(record, cursor: row.cursor)
                case .failure(let violation): try quarantine.add(row: rowNumber, violation: violation)
                }
            }
        }
        do {
            if let scan { try await scan() } else { try await source.scan(after: cursor, handle) }
        } catch {
            for stage in stages { stage.abandon() }
            throw error
        }
        do {
            // In order: a stage's last chunk may still feed the next.
            for stage in stages { try stage.finish() }
        } catch {
            for stage in stages { stage.abandon() }
            throw error
        }
        progress.finish()
        // A first pass has no snapshot to find deletes in, so the comparison can add nothing to the batches:
        // the last batch goes to the hub while the comparison writes the snapshot, not after it.
        let lastBatchBeforeComparison = diff?.previousCount == 0
        if lastBatchBeforeComparison { try finishSpooling(spooler, quarantine: &quarantine, stream: spooledStream) }
        if let diff {
            if let recalledRows = diff.recall?.recalled, recalledRows > 0 {
                logger.info("\(code): \(recalledRows) rows recognised unchanged since the last pass by their bytes, not mapped again")
            }
            let comparison = try diff.compare(onChange: { _, line in
                if !spoolsAsRead { try spooler.append(encoded: line, operation: .upsert) }
            }, onDelete: { key in
                var values = [String?](repeating: nil, count: items.count)
                for (position, index) in keyIndices.enumerated() { values[index] = key[position] }
                try spooler.append(CanonicalRecord(operation: .delete, values: values), cursor: nil)
            })
            logger.info("\(code) against the last accepted snapshot: \(comparison.inserted) inserted, \(comparison.updated) updated, \(comparison.unchanged) unchanged, \(comparison.deleted) deleted")
        }
        if !lastBatchBeforeComparison { try finishSpooling(spooler, quarantine: &quarantine, stream: spooledStream) }
        report.rowsRead = rowNumber
        report.quarantined = quarantine.count
        let pushed = try await pushing.value
        report.batches += pushed.batches
        report.upserts += pushed.upserts
        report.deletes += pushed.deletes
        report.wireBytes += pushed.wireBytes
        // Every batch of the pass is accepted: only now does the snapshot move.
        try diff?.commit()
        if diff != nil { try forget(try state.acceptedAwaitingSnapshot(resource: code)) }
        return report
    }

    /// Spools the pass's last batch (with the quarantine's findings) and ends the stream the pushes read.
    private func finishSpooling(_ spooler: BatchSpooler, quarantine: inout Quarantine,
                                stream: AsyncStream<(pending: AgentState.PendingBatch, payload: SpooledPayload?)>.Continuation) throws {
        try spooler.finish(quarantine: quarantine.findings, quarantined: quarantine.count)
        CrashPoint.reached("provider.spooled")
        try quarantine.close()
        stream.finish()
    }

    /// Batches the hub accepted from a pass that did not finish (the agent was killed, or a later batch was
    /// refused) go into the snapshot before this pass is compared with it, so their rows are not sent again.
    func foldAcceptedBatches(resource code: String, into snapshots: SnapshotDigestStore, items: [String], keyIndices: [Int]) throws {
        let accepted = try state.acceptedAwaitingSnapshot(resource: code)
        guard !accepted.isEmpty else { return }
        let batches = try accepted.map { batch in
            SnapshotDigestStore.AcceptedPayload(
                file: batch.payload,
                manifest: try SignedDocument<BatchManifest>(base64Content: batch.manifestBase64, base64Signature: batch.signatureBase64, field: "manifest").content)
        }
        let folded = try snapshots.fold(resource: code, batches: batches, items: items, keyIndices: keyIndices, keyring: client.dataKeys)
        logger.notice("\(code): \(accepted.count) batches (\(folded) records) the hub accepted from an unfinished pass are in the snapshot now; they are not sent again")
        try forget(accepted)
    }

    /// Forgets accepted batches the snapshot now holds, and their spooled payloads.
    func forget(_ accepted: [AgentState.PendingBatch]) throws {
        try state.forgetAccepted(accepted)
        for batch in accepted { try? FileManager.default.removeItem(atPath: batch.payload) }
    }

    /// The pending batch with its manifest signed by the agent's current key. The manifest (and so its SM3,
    /// which makes a resend idempotent at the hub) stays byte for byte the same.
    func signedWithCurrentKey(_ pending: AgentState.PendingBatch) throws -> AgentState.PendingBatch {
        let signed = try SignedDocument<BatchManifest>(base64Content: pending.manifestBase64, base64Signature: pending.signatureBase64, field: "manifest")
        guard !signed.isSigned(by: key.publicKey) else { return pending }
        var resigned = pending
        resigned.signatureBase64 = Data(try key.signature(for: signed.canonicalBytes)).base64EncodedString()
        logger.notice("\(pending.resource)#\(pending.sequence): spooled before a key rotation; signed again with the current key")
        return resigned
    }

    /// Pushes one spooled batch: `payload` when the pass kept it in memory, else its spool file. A snapshot-mode
    /// batch (`awaitingSnapshot`) stays recorded as accepted, with its payload file, until its pass's snapshot moves.
    func push(_ pending: AgentState.PendingBatch, payload: SpooledPayload? = nil, awaitingSnapshot: Bool, into report: inout ProviderReport) async throws {
        let outcome = try await client.pushBatch(resource: pending.resource, manifestBase64: pending.manifestBase64,
                                                 signatureBase64: pending.signatureBase64, payload: URL(fileURLWithPath: pending.payload),
                                                 inMemory: payload.map { MemoryChunks(pieces: $0.pieces) })
        let manifest = try SignedDocument<BatchManifest>(base64Content: pending.manifestBase64, base64Signature: pending.signatureBase64, field: "manifest").content
        CrashPoint.reached("provider.accepted-unrecorded")
        try state.accepted(pending, awaitingSnapshot: awaitingSnapshot)
        if !awaitingSnapshot { try? FileManager.default.removeItem(atPath: pending.payload) }
        report.batches.append(outcome.sequence)
        report.upserts += manifest.counts.upserts
        report.deletes += manifest.counts.deletes
        report.wireBytes += manifest.wire.bytes
        logger.info("\(pending.resource)#\(outcome.sequence) \(outcome.status): \(manifest.counts.upserts) upserts, \(manifest.counts.deletes) deletes, \(manifest.wire.bytes) bytes")
    }
}

/// A prepared row on its way to the snapshot diff: its canonical line, its key (joined by `SnapshotKey`)
/// and the line's digest.
struct SnapshotRow: Sendable {
    var line: [UInt8]
    var key: String
    var digest: SnapshotRowDigest
}

/// What a provider run did for one resource.
public struct ProviderReport: Sendable, Codable {
    public var resource: String
    public var rowsRead: Int64 = 0
    public var upserts: Int64 = 0
    public var deletes: Int64 = 0
    public var quarantined: Int64 = 0
    public var wireBytes: Int64 = 0
    public var batches: [Int64] = []
}
