import Foundation
import GXCrypto
import GXDomain
import Logging

/// One night's work for one consumed agreement: confirm receipts the hub has not recorded, then pull every
/// batch after the sink's checkpoint in order, verify the hub's signature, the digests and the counts,
/// map, and apply it to the sink in one transaction with the checkpoint; then send a signed receipt.
/// Following (`follow`), it goes on pulling as batches arrive until it has applied the end of a pass.
struct ConsumerSync {
    let configuration: AgentConfiguration
    let configText: String
    let configSource: String
    let client: AgentHubClient
    let state: AgentState
    let key: SM2PrivateKey
    let hubKey: SM2PublicKey
    let follow: FollowPolicy?
    let logger: Logger

    struct AgreementDocument: Decodable { var agreement: SharingAgreement }

    func run(_ consumed: ConsumedAgreement) async throws -> ConsumerReport {
        let id = consumed.agreement
        let report = ConsumerReport(agreement: id)
        let agreement = try await client.get("/v1/agreements/\(client.escape(id))", as: AgreementDocument.self).agreement
        let entry: CatalogueEntry = try await client.get("/v1/catalogue/\(client.escape(agreement.terms.resourceCode))")
        let agreed = Set(agreement.terms.items)
        let items = entry.items.map(\.name).filter(agreed.contains)
        let columns = consumed.map.compactMap(\.column)
        let sink = try await LocalData.sink(consumed.sink, columns: columns)
        do {
            let report = try await run(consumed, agreement: agreement, entry: entry, items: items, sink: sink, into: report)
            await sink.close()
            return report
        } catch {
            await sink.close()
            throw error
        }
    }

    func run(_ consumed: ConsumedAgreement, agreement: SharingAgreement, entry: CatalogueEntry, items: [String], sink: any RecordSink,
             into report: ConsumerReport) async throws -> ConsumerReport {
        let id = consumed.agreement
        var report = report
        let sinkColumns: [String]
        do { sinkColumns = try sink.columns() } catch { throw AgentError.localData("\(error)") }
        let mapper: DeliveryMappers
        do {
            // Each filed revision's items: deliveries projected before an amendment was filed carry the old ones.
            let history = agreement.history.map { revision in entry.items.map(\.name).filter(Set(revision.terms.items).contains) }.dropLast() + [items]
            mapper = try DeliveryMappers(history: Array(history)) { items in
                try RecordMapper.incoming(consumed.map, items: items, entry: entry, columns: sinkColumns, columnsSource: consumed.sink.label,
                                          configText: configText, configSource: configSource)
            }
        } catch let error as InvalidInput {
            throw AgentError.configuration(error.description)
        }
        let keyIndices = try consumed.sink.key.map { column in
            guard let index = sinkColumns.firstIndex(of: column) else {
                throw AgentError.configuration("key column '\(column)' is not a column of \(consumed.sink.label)")
            }
            return index
        }
        let checkpoint = try await sink.checkpoint(stream: id) ?? 0
        // The records flagged by open objections go to gx_disputed with the first batch applied (or on their own).
        await expectDisputes(of: id, in: sink)
        // A follower also asks for the batch at its checkpoint: if that one ended tonight's pass, the night
        // is already done here.
        let due = follow.map { DuePass(frequency: agreement.terms.frequency, now: Date(), since: $0.passSince) }
        var list: ExchangeAPI.DeliveryList = try await client.get("/v1/agreements/\(client.escape(id))/batches?after=\(due != nil ? max(checkpoint - 1, 0) : checkpoint)")
        let alreadyEnded = checkpoint > 0 && list.batches.first { $0.sequence == checkpoint }.map { due?.isEnded(by: $0) ?? false } == true
        list.batches.removeAll { $0.sequence <= checkpoint }
        // Applied before but the receipt never reached the hub (a crash or a lost answer): send it now.
        if list.acknowledged < checkpoint {
            for sequence in (list.acknowledged + 1)...checkpoint {
                if let kept = try state.receipt(agreement: id, sequence: sequence) {
                    try await sendReceipt(id, sequence, receipt: kept.receipt, signature: kept.signature)
                } else {
                    try await receiptFromDelivery(id, sequence: sequence)
                }
            }
        }
        // While one delivery is applied, the next one downloads (the hub projects it meanwhile).
        let fetcher = DeliveryFetcher(client: client, hubKey: hubKey, agency: configuration.agency,
                                      directory: URL(fileURLWithPath: configuration.stateDirectory + "/incoming"), itemLists: mapper.itemLists,
                                      masks: agreement.terms.maskDeclarations,
                                      providerKeys: ProviderKeys(client: client, provider: agreement.terms.provider),
                                      provider: agreement.terms.provider, resourceCode: agreement.terms.resourceCode)
        if let staging = sink as? any StagingRecordSink {
            try await applyStaged(first: list, after: checkpoint, ended: alreadyEnded, due: due, agreement: id, fetcher: fetcher, mapper: mapper, keyIndices: keyIndices,
                                  sink: staging, into: &report)
        } else {
            try await applyInOrder(first: list, after: checkpoint, ended: alreadyEnded, due: due, agreement: id, into: &report,
                                   preparer: { { batch in try await fetcher.fetch(agreement: id, batch: batch) } }) { delivery in
                try await apply(delivery, mapper: mapper, keyIndices: keyIndices, sink: sink)
            }
        }
        do { try await sink.writePendingDisputes(stream: id) } catch { throw AgentError.localData("\(error)") }
        try LocalData.finishRun(sink)
        return report
    }

    /// The batch after the last one applied, asked of the hub while that one was still being applied, with
    /// its preparation already started.
    private struct Lookahead<Prepared: Sendable>: Sendable {
        var list: ExchangeAPI.DeliveryList
        var first: Task<Prepared, any Error>?
        var asked: ContinuousClock.Instant
    }

    /// Applies the batches of `first` and, when following, of every list after it, in order, each batch's
    /// preparation (download and checks; decoding too for a staging sink) running while the one before is
    /// applied. When following, the next list is asked for while the last listed batch is applied, so the
    /// next batch downloads meanwhile too. A batch pruned at the hub stops the run when its turn comes.
    ///
    /// `preparer` runs on this task and returns the work of preparing one batch, which may run on any.
    ///
    /// A follower stops only once the last batch it applied ends the pass due this night (`due`); `ended`
    /// says whether the batch at the checkpoint already did.
    private func applyInOrder<Prepared: Sendable>(first: ExchangeAPI.DeliveryList, after checkpoint: Int64, ended: Bool, due: DuePass?,
                                                  agreement id: String,
                                                  into report: inout ConsumerReport,
                                                  preparer: () -> @Sendable (ExchangeAPI.AvailableBatch) async throws -> Prepared,
                                                  apply: (Prepared) async throws -> BatchCounts) async throws {
        func prepare(_ batch: ExchangeAPI.AvailableBatch) -> Task<Prepared, any Error>? {
            // A batch without records needs no payload: its manifest came with the list, even once pruned.
            guard batch.available || batch.manifestBase64 != nil else { return nil }
            let work = preparer()
            return Task { try await work(batch) }
        }
        let client = client
        var list = first
        var next: Task<Prepared, any Error>?
        var lookahead: Task<Lookahead<Prepared>, any Error>?
        defer {
            next?.cancel()
            lookahead?.cancel()
        }
        var appliedThrough = checkpoint
        var passEnded = ended
        func endsDuePass(_ batch: ExchangeAPI.AvailableBatch) -> Bool { due?.isEnded(by: batch) ?? (batch.endsPass == true) }
        var idleSince = follow?.startedAt ?? .now
        var asked = ContinuousClock.now
        /// Whether the last ask asked the hub to hold an empty answer open (`wait=`); the first list was asked
        /// without (`FollowPolicy.pause`).
        var askedToWait = false
        var waitLogged = false
        while true {
            if let last = list.batches.last {
                for (index, available) in list.batches.enumerated() {
                    guard let preparing = next ?? prepare(available) else {
                        throw AgentError.verification(what: "\(id)#\(available.sequence)", reason: "pruned at the hub before it was applied here; ask the provider for a full resend")
                    }
                    let prepared = try await preparing.value
                    if index + 1 < list.batches.count {
                        next = prepare(list.batches[index + 1])
                    } else {
                        next = nil
                        if let follow, !endsDuePass(last) {
                            let work = preparer()
                            let path = "/v1/agreements/\(client.escape(id))/batches?after=\(last.sequence)&wait=\(min(follow.longPoll, follow.idleTimeout).components.seconds)"
                            lookahead = Task {
                                let asked = ContinuousClock.now
                                let list: ExchangeAPI.DeliveryList = try await client.get(path)
                                let first = list.batches.first.flatMap { batch in
                                    batch.available || batch.manifestBase64 != nil ? Task { try await work(batch) } : nil
                                }
                                return Lookahead(list: list, first: first, asked: asked)
                            }
                        }
                    }
                    report.add(available.sequence, try await apply(prepared))
                }
                appliedThrough = last.sequence
                // The hub's list says which batch ends a pass and when it was accepted; it only decides when
                // to stop asking.
                passEnded = endsDuePass(last)
                // A follower stops at the end of the due pass. A run that does not follow asks again too: the
                // hub lists at most 1 000 batches an answer, and the run ends when a list comes back empty.
                if follow != nil, passEnded { break }
                idleSince = .now
                waitLogged = false
            } else {
                guard let follow, !passEnded else { break }
                let idle = ContinuousClock.now - idleSince
                if idle >= follow.idleTimeout {
                    throw AgentError.followTimedOut(agreement: id, waited: follow.idleTimeout, appliedThrough: appliedThrough,
                                                    dueSince: due.map { Timestamp.string(from: $0.since) })
                }
                if !waitLogged {
                    logger.info("\(id): applied through #\(appliedThrough); waiting for the provider's pass to end (a pass accepted since \(due.map { Timestamp.string(from: $0.since) } ?? "-"))")
                }
                waitLogged = true
                let early = follow.pause(sinceAsked: ContinuousClock.now - asked, askedToWait: askedToWait)
                if early > .zero { try await Task.sleep(for: min(early, follow.idleTimeout - idle)) }
            }
            if let pending = lookahead {
                lookahead = nil
                let ahead = try await pending.value
                (list, next, asked) = (ahead.list, ahead.first, ahead.asked)
                askedToWait = true
                continue
            }
            let wait = follow.map { min($0.longPoll, $0.idleTimeout - (ContinuousClock.now - idleSince)) } ?? .zero
            asked = .now
            askedToWait = wait > .zero
            list = try await client.get("/v1/agreements/\(client.escape(id))/batches?after=\(appliedThrough)" + (wait > .zero ? "&wait=\(wait.components.seconds)" : ""))
        }
    }

    /// Applies a downloaded, verified delivery in one sink transaction with its checkpoint, then acknowledges it.
    func apply(_ delivery: DeliveryFetcher.Delivery, mapper: DeliveryMappers, keyIndices: [Int], sink: any RecordSink) async throws -> BatchCounts {
        let started = ContinuousClock.now
        defer { if let file = delivery.file { try? FileManager.default.removeItem(at: file) } }
        // Apply inside one sink transaction, checking digests and counts at the end: a mismatch rolls it all back.
        try await sink.apply(stream: delivery.manifest.agreementID, checkpoint: delivery.manifest.sequence) { transaction in
            try Self.decode(delivery, mapper: mapper, keyIndices: keyIndices, into: transaction, logger: logger)
        }
        return try await applied(delivery.manifest, what: delivery.what, since: started)
    }

    /// A delivery decoded into the sink's stage, ready for its transaction.
    private struct StagedDelivery<Staging: Sendable>: Sendable {
        var manifest: DeliveryManifest
        var what: String
        var staging: Staging
        var started: ContinuousClock.Instant
    }

    /// For sinks that stage in memory: while the database applies one delivery, the next one downloads and
    /// is decoded and verified, so decoding costs no wall time beside the database's work. A delivery that
    /// fails its checks fails before its transaction opens.
    private func applyStaged<Sink: StagingRecordSink>(first list: ExchangeAPI.DeliveryList, after checkpoint: Int64, ended: Bool, due: DuePass?,
                                                     agreement id: String,
                                                     fetcher: DeliveryFetcher, mapper: DeliveryMappers, keyIndices: [Int], sink: Sink,
                                                     into report: inout ConsumerReport) async throws {
        let logger = self.logger
        try await applyInOrder(first: list, after: checkpoint, ended: ended, due: due, agreement: id, into: &report, preparer: {
            let staging = sink.newStaging()
            return { batch in
                let delivery = try await fetcher.fetch(agreement: id, batch: batch)
                defer { if let file = delivery.file { try? FileManager.default.removeItem(at: file) } }
                let started = ContinuousClock.now
                try Self.decode(delivery, mapper: mapper, keyIndices: keyIndices, into: staging, logger: logger)
                return StagedDelivery(manifest: delivery.manifest, what: delivery.what, staging: staging, started: started)
            }
        }) { staged in
            try await sink.apply(staged.staging, stream: id, checkpoint: staged.manifest.sequence)
            return try await applied(staged.manifest, what: staged.what, since: staged.started)
        }
    }

    /// Reads a delivery's payload into `transaction`: decodes, maps each record to the sink's columns, and
    /// checks digests and counts against the manifest at the end (a mismatch throws, so nothing is applied).
    /// A payload that does not decode is an error naming the delivery.
    private static func decode(_ delivery: DeliveryFetcher.Delivery, mapper: DeliveryMappers, keyIndices: [Int], into transaction: any SinkTransaction,
                               logger: Logger) throws {
        do {
            try decodeUnnamed(delivery, mapper: mapper, keyIndices: keyIndices, into: transaction, logger: logger)
        } catch let error as AgentError {
            throw error
        } catch let error as LocalDataError {
            throw error
        } catch {
            throw AgentError.verification(what: delivery.what, reason: "the payload does not decode: \(error)")
        }
    }

    private static func decodeUnnamed(_ delivery: DeliveryFetcher.Delivery, mapper: DeliveryMappers, keyIndices: [Int], into transaction: any SinkTransaction,
                                      logger: Logger) throws {
        let (manifest, what) = (delivery.manifest, delivery.what)
        // A batch without records (checked so by the fetcher) moves the checkpoint and nothing else.
        guard delivery.file != nil || delivery.payload != nil else { return }
        guard let mapper = mapper.mapper(for: manifest.items) else {
            throw AgentError.verification(what: what, reason: "no mapping for the items \(manifest.items)")
        }
        let decoder = try BatchPayloadDecoder(valueCount: manifest.items.count, maximumRecordBytes: Int(manifest.records.bytes))
        let progress = ProgressDisplay("\(what) applying", total: manifest.counts.records, logger: logger)
        defer { progress.finish() }
        let input = try DeliveryPayloadInput(delivery)
        defer { input.close() }
        /// Maps a record's values and applies them (the `String` path).
        func apply(_ values: [String?], _ operation: RecordOperation, position: Int64) throws {
            let local: [String?]
            do { local = try mapper.map(values) } catch {
                throw AgentError.localData("\(what), record \(position): \(error)")
            }
            CrashPoint.reached("consumer.applying")
            progress.advance()
            switch operation {
            case .upsert: try transaction.upsert(local)
            case .delete: try transaction.delete(key: keyIndices.map { local[$0] ?? "" })
            }
        }
        // A sink that takes lines gets each upsert as bytes, mapped column by column; other sinks, and deletes,
        // the record's values parsed once.
        let lineSink = transaction as? any LineSinkTransaction
        while case let chunk = try input.read(upTo: 256 * 1024), !chunk.isEmpty {
            guard let lineSink else {
                try decoder.consume(chunk) { record, position in try apply(record.values, record.operation, position: position) }
                continue
            }
            try chunk.withUnsafeBytes { wire in
                try decoder.consumeLines(wire) { line, position in
                    guard line.operation == .upsert else {
                        return try apply((0..<line.valueCount).map { line.value($0) }, line.operation, position: position)
                    }
                    CrashPoint.reached("consumer.applying")
                    progress.advance()
                    do { try lineSink.upsert(line: line, mapper: mapper) } catch let violation as RecordViolation {
                        throw AgentError.localData("\(what), record \(position): \(violation)")
                    }
                }
            }
        }
        let digests = try decoder.finish()
        guard digests.wire == manifest.wire else { throw AgentError.verification(what: what, reason: "wire SM3/size \(digests.wire.sm3)/\(digests.wire.bytes) ≠ manifest") }
        guard digests.records == manifest.records else { throw AgentError.verification(what: what, reason: "records SM3/size ≠ manifest") }
        guard decoder.counts.upserts == manifest.counts.upserts, decoder.counts.deletes == manifest.counts.deletes else {
            throw AgentError.verification(what: what, reason: "counts \(decoder.counts.upserts)/\(decoder.counts.deletes) ≠ manifest \(manifest.counts.upserts)/\(manifest.counts.deletes)")
        }
    }

    /// Logs an applied delivery and acknowledges it.
    private func applied(_ manifest: DeliveryManifest, what: String, since started: ContinuousClock.Instant) async throws -> BatchCounts {
        let elapsed = (ContinuousClock.now - started) / .seconds(1)
        logger.info("\(what) applied: \(manifest.counts.upserts) upserts, \(manifest.counts.deletes) deletes, \(Int(Double(manifest.counts.records) / max(elapsed, 0.001))) records/s")
        CrashPoint.reached("consumer.applied-unreceipted")
        try await acknowledge(manifest)
        return manifest.counts
    }

    /// The sink's checkpoint says the batch was applied (data and checkpoint commit together) but the
    /// process died before it kept its receipt: fetch the signed delivery manifest again and acknowledge it.
    func receiptFromDelivery(_ id: String, sequence: Int64) async throws {
        let file = URL(fileURLWithPath: configuration.stateDirectory + "/incoming/\(id)-\(sequence).receipt")
        defer { try? FileManager.default.removeItem(at: file) }
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let pulled = try await client.pullBatch(agreement: id, sequence: sequence, to: file)
        let signed = try SignedDocument<DeliveryManifest>(base64Content: pulled.manifest, base64Signature: pulled.signature, field: "manifest")
        guard signed.isSigned(by: hubKey), signed.content.agreementID == id, signed.content.sequence == sequence else {
            throw AgentError.verification(what: "delivery \(id)#\(sequence)", reason: "the manifest is not the hub's for this batch")
        }
        try await acknowledge(signed.content)
        logger.info("\(id)#\(sequence): receipt re-sent after an interrupted run")
    }

    /// Signs the receipt for an applied delivery, keeps it (to resend after a crash) and sends it.
    func acknowledge(_ manifest: DeliveryManifest) async throws {
        let receipt = BatchReceipt(agreementID: manifest.agreementID, consumer: configuration.agency, resourceCode: manifest.resourceCode,
                                   sequence: manifest.sequence, recordsSM3: manifest.records.sm3, upsertsApplied: manifest.counts.upserts,
                                   deletesApplied: manifest.counts.deletes, appliedAt: Timestamp.string(from: Date()))
        let signed = try SignedDocument(signing: receipt, with: key)
        try state.saveReceipt(agreement: manifest.agreementID, sequence: manifest.sequence,
                              receiptBase64: signed.base64Content, signatureBase64: signed.base64Signature)
        try await sendReceipt(manifest.agreementID, manifest.sequence, receipt: signed.base64Content, signature: signed.base64Signature)
    }

    func sendReceipt(_ id: String, _ sequence: Int64, receipt: String, signature: String) async throws {
        let _: ExchangeAPI.ReceiptOutcome = try await client.post("/v1/agreements/\(client.escape(id))/batches/\(sequence)/receipt",
                                                                  ExchangeAPI.SignedReceipt(receipt: receipt, signature: signature))
    }
}

/// What a consumer run did for one agreement.
public struct ConsumerReport: Sendable, Codable {
    public var agreement: String
    public var upserts: Int64 = 0
    public var deletes: Int64 = 0
    public var batches: [Int64] = []

    mutating func add(_ sequence: Int64, _ applied: BatchCounts) {
        batches.append(sequence)
        upserts += applied.upserts
        deletes += applied.deletes
    }
}
