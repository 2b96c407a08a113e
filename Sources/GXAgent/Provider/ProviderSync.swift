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
        // A previous run may have spooled batches it could not push: they go first, unchanged — unless the
        // agency rotated its key since, when the same manifest is signed again with the key now in force.
        for pending in try state.pending(resource: code) {
            try await push(try signedWithCurrentKey(pending), into: &report)
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
        let mapper: RecordMapper, validator: RecordValidator
        do {
            mapper = try RecordMapper.outgoing(resource.map, columns: columns, columnsSource: resource.source.label, entry: entry,
                                               items: items, configText: configText, configSource: configSource)
            validator = try RecordValidator(entry: entry, items: items)
        } catch {
            throw AgentError.configuration(error.description)
        }
        let cursorMode = resource.source.cursor != nil
        if full, cursorMode { try state.resetCursor(resource: code) }
        let cursorText = cursorMode ? try state.cursor(resource: code) : nil
        let cursor = try cursorText.map { try JSONDecoder().decode(SourceCursor.self, from: Data($0.utf8)) }
        let generation = cursorMode ? nil : try state.nextGeneration(resource: code)
        let spooler = try BatchSpooler(plan: .init(directory: configuration.stateDirectory + "/spool", provider: configuration.agency, entry: entry,
                                                   items: items, firstSequence: list.lastSequence + 1, batchRecords: resource.batchRecords,
                                                   mode: cursorMode ? .cursor : .snapshot, generation: generation,
                                                   full: full || (cursorMode ? cursor == nil : false), cursorFrom: cursorText),
                                       key: key, state: state)
        var quarantine = Quarantine(path: configuration.stateDirectory + "/quarantine/\(code).csv", resource: code)
        let snapshots = cursorMode ? nil : try SnapshotDigestStore(path: configuration.stateDirectory + "/snapshots.sqlite")
        let diff = try snapshots?.beginDiff(resource: code)
        let keyIndices = validator.keyIndices
        var rowNumber: Int64 = 0
        let progress = ProgressDisplay("\(code) reading \(resource.source.label)", logger: logger)
        let pipeline = diff.map { SnapshotPipeline(diff: $0, spooler: spooler, full: full) }
        let handle: (SourceRow) throws -> Void = { row in
            rowNumber += 1
            progress.advance()
            let record: CanonicalRecord
            do {
                record = CanonicalRecord(operation: .upsert, values: try mapper.map(row.values))
                if let violation = validator.violation(in: record) { throw violation }
            } catch let violation as RecordViolation {
                try quarantine.add(row: rowNumber, violation: violation)
                return
            }
            if let pipeline {
                var line: [UInt8] = []
                line.reserveCapacity(256)
                record.write(into: &line)
                try pipeline.add(.init(record: record, line: line, key: keyIndices.map { record.values[$0] ?? "" }, digest: SM3.digest(line).bytes))
            } else {
                try spooler.append(record, cursor: row.cursor)
            }
        }
        do {
            try await source.scan(after: cursor, handle)
        } catch {
            pipeline?.abandon()
            throw error
        }
        try pipeline?.finish()
        progress.finish()
        if let diff {
            try diff.forEachDeleted { key in
                var values = [String?](repeating: nil, count: items.count)
                for (position, index) in keyIndices.enumerated() { values[index] = key[position] }
                try spooler.append(CanonicalRecord(operation: .delete, values: values), cursor: nil)
            }
        }
        try spooler.finish(quarantine: quarantine.findings, quarantined: quarantine.count)
        CrashPoint.reached("provider.spooled")
        try quarantine.close()
        report.rowsRead = rowNumber
        report.quarantined = quarantine.count
        for pending in spooler.spooled {
            try await push(pending, into: &report)
        }
        // Every batch of the pass is accepted: only now does the snapshot move.
        try diff?.commit()
        return report
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

    func push(_ pending: AgentState.PendingBatch, into report: inout ProviderReport) async throws {
        let outcome = try await client.pushBatch(resource: pending.resource, manifestBase64: pending.manifestBase64,
                                                 signatureBase64: pending.signatureBase64, payload: URL(fileURLWithPath: pending.payload))
        let manifest = try SignedDocument<BatchManifest>(base64Content: pending.manifestBase64, base64Signature: pending.signatureBase64, field: "manifest").content
        CrashPoint.reached("provider.accepted-unrecorded")
        try state.accepted(pending)
        try? FileManager.default.removeItem(atPath: pending.payload)
        report.batches.append(outcome.sequence)
        report.upserts += manifest.counts.upserts
        report.deletes += manifest.counts.deletes
        report.wireBytes += manifest.wire.bytes
        logger.info("\(pending.resource)#\(outcome.sequence) \(outcome.status): \(manifest.counts.upserts) upserts, \(manifest.counts.deletes) deletes, \(manifest.wire.bytes) bytes")
    }
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
