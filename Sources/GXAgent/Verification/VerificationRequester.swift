import Foundation
import GXCrypto
import GXDomain
import Logging

/// The consumer's side of a verification agreement (比对核实): send the records it holds — key and items to
/// check, mapped to the catalogue's canonical form and sorted by key — as a signed request, then apply the
/// provider's answers to its sink (key, found, one column per checked item) exactly once, each with its
/// checkpoint, and acknowledge them with signed receipts.
///
/// A request is sent when the records differ from the last request's (their SM3), so a run that finds the
/// same records again only collects answers.
struct VerificationRequester {
    let configuration: AgentConfiguration
    let configText: String
    let configSource: String
    let client: AgentHubClient
    let key: SM2PrivateKey
    let follow: FollowPolicy?
    let logger: Logger
    /// Bytes of records sorted in memory before the sort spills to run files.
    var memoryBudget = VerificationRequester.defaultMemoryBudget

    /// 80 MiB holds a million records of a key and two checked items (about 80 bytes each with their index),
    /// so such a job is sorted without a run on disk; at 10 M records every process stays under 256 MB.
    static var defaultMemoryBudget: Int {
        ProcessInfo.processInfo.environment["GX_VERIFY_SORT_MEMORY"].flatMap(Int.init) ?? 80 << 20
    }

    struct AgreementDocument: Decodable { var agreement: SharingAgreement }

    /// A signed request kept until the hub has it, so a crash between signing and pushing resends the same one.
    struct PendingRequest: Codable {
        var manifestBase64: String
        var signatureBase64: String
    }

    func run(_ job: VerificationJob) async throws -> VerificationReport {
        let id = job.agreement
        var report = VerificationReport(agreement: id)
        let agreement = try await client.get("/v1/agreements/\(client.escape(id))", as: AgreementDocument.self).agreement
        guard agreement.terms.method == .verification else {
            throw AgentError.configuration("[[verify]] \(id) is a \(agreement.terms.method.rawValue) agreement, not a verification one")
        }
        let entry: CatalogueEntry = try await client.get("/v1/catalogue/\(client.escape(agreement.terms.resourceCode))")
        let keys = entry.keyItems.map(\.name)
        let mapped = Set(job.map.map(\.item))
        // The items to check are those the mapping names: the hub refuses any the agreement does not allow.
        let checked = entry.items.map(\.name).filter { mapped.contains($0) && !keys.contains($0) }
        let items = keys + checked
        let columns = try items.map { item in
            guard let column = job.map.first(where: { $0.item == item })?.column else {
                throw AgentError.configuration("[[verify]] \(id): map '\(item)' to a column (it names the answer's column too)")
            }
            return column
        }
        let answerColumns = Array(columns.prefix(keys.count)) + [VerificationOutcome.foundItem] + Array(columns.dropFirst(keys.count))
        let directory = configuration.stateDirectory + "/verify/\(id)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)

        // 1. A request signed before a crash goes first, unchanged.
        let pendingFile = directory + "/pending.json", payloadFile = directory + "/pending.deflate"
        if let data = FileManager.default.contents(atPath: pendingFile) {
            let pending = try JSONDecoder().decode(PendingRequest.self, from: data)
            try await push(id, pending, payload: payloadFile, into: &report)
            try? FileManager.default.removeItem(atPath: pendingFile)
        }
        var listing: VerificationAPI.Listing = try await client.get("/v1/agreements/\(client.escape(id))/verifications?after=0")

        // 2. The records as the source holds them now, sorted by key, each key once.
        let sorted = try SortedRecords(directory: directory + "/sort", memoryBudget: memoryBudget, keyring: client.dataKeys)
        defer { sorted.discard() }
        let source = try await LocalData.source(job.source)
        let collected: VerificationRecords.Outcome
        do {
            collected = try await VerificationRecords(entry: entry, items: items, keyCount: keys.count)
                .collect(source, map: job.map, label: job.source.label, configText: configText, configSource: configSource, into: sorted)
            await source.close()
        } catch {
            await source.close()
            throw error
        }
        report.rowsRead = collected.rows
        report.invalid = collected.invalid
        if let problem = collected.firstProblem { logger.warning("\(id): \(collected.invalid) rows of \(job.source.label) are not asked (they do not map or validate), e.g. \(problem)") }
        unlink(payloadFile)
        // Deflated, digested and sealed on another core while this one merges the sorted records.
        let output: PayloadWriteBehind
        do { output = try PayloadWriteBehind(path: payloadFile, sealingWith: client.dataKeys?.current) } catch {
            throw AgentError.localData("cannot write \(payloadFile): \(error)")
        }
        var requests: Int64 = 0
        let digests: (records: PayloadDigest, wire: PayloadDigest, copy: [UInt8]?)
        do {
            let reader = try sorted.reader()
            var previous: [UInt8] = []
            while let next = try reader.next() {
                if requests > 0, previous.withUnsafeBytes({ SortedRecords.compare($0, next.key) }) == 0 { report.duplicates += 1; continue }
                previous.removeAll(keepingCapacity: true)
                previous.append(contentsOf: next.key)
                try output.append(line: next.line)
                requests += 1
            }
            digests = try output.finish()
        } catch {
            output.abandon()
            throw error
        }
        if let last = listing.verifications.last, last.request.records == digests.records, last.request.items == items {
            logger.info("\(id): the records to check are those of request #\(last.sequence); no new request")
            try? FileManager.default.removeItem(atPath: payloadFile)
        } else if requests > 0 {
            let manifest = VerificationRequest(agreementID: id, consumer: configuration.agency, provider: agreement.terms.provider,
                                               resourceCode: entry.resourceCode, schemaVersion: entry.schemaVersion,
                                               sequence: listing.lastSequence + 1, items: items, keyCount: keys.count, requests: requests,
                                               records: digests.records, wire: digests.wire, createdAt: Timestamp.string(from: Date()))
            let signed = try SignedDocument(signing: manifest, with: key)
            let pending = PendingRequest(manifestBase64: signed.base64Content, signatureBase64: signed.base64Signature)
            try JSONEncoder().encode(pending).write(to: URL(fileURLWithPath: pendingFile), options: .atomic)
            CrashPoint.reached("verifier.spooled")
            try await push(id, pending, payload: payloadFile, inMemory: digests.copy, into: &report)
            try? FileManager.default.removeItem(atPath: pendingFile)
            listing = try await client.get("/v1/agreements/\(client.escape(id))/verifications?after=0")
        }

        // 3. Answers after the sink's checkpoint, in order, each applied with its checkpoint.
        let sink = try await LocalData.sink(job.sink, columns: answerColumns)
        do {
            try await applyAnswers(id, listing: listing, sink: sink, items: items, keyCount: keys.count, answerColumns: answerColumns,
                                   into: &report)
            try LocalData.finishRun(sink)
            await sink.close()
        } catch {
            await sink.close()
            throw error
        }
        return report
    }

    /// Pushes a signed request: `inMemory` when this run just wrote it, else from its (sealed) file.
    func push(_ id: String, _ pending: PendingRequest, payload: String, inMemory: [UInt8]? = nil, into report: inout VerificationReport) async throws {
        let outcome: VerificationAPI.Outcome = try await client.upload("/v1/agreements/\(client.escape(id))/verifications",
                                                                       manifestBase64: pending.manifestBase64, signatureBase64: pending.signatureBase64,
                                                                       payload: URL(fileURLWithPath: payload), inMemory: inMemory)
        CrashPoint.reached("verifier.requested")
        try? FileManager.default.removeItem(atPath: payload)
        let manifest = try SignedDocument<VerificationRequest>(base64Content: pending.manifestBase64, base64Signature: pending.signatureBase64, field: "manifest").content
        report.requested.append(outcome.sequence)
        report.requests += manifest.requests
        logger.info("\(id): request #\(outcome.sequence) \(outcome.status): \(manifest.requests) records to check (\(manifest.checkedItems.joined(separator: ", ")))")
    }

    func applyAnswers(_ id: String, listing first: VerificationAPI.Listing, sink: any RecordSink, items: [String], keyCount: Int,
                      answerColumns: [String], into report: inout VerificationReport) async throws {
        let sinkColumns: [String]
        do { sinkColumns = try sink.columns() } catch { throw AgentError.localData("\(error)") }
        let positions = try answerColumns.map { column in
            guard let position = sinkColumns.firstIndex(of: column) else {
                throw AgentError.configuration("the answers' sink \(column) is not a column of the answers' table")
            }
            return position
        }
        var listing = first
        let checkpoint = try await sink.checkpoint(stream: id) ?? 0
        // Applied before, but the receipt never reached the hub: rebuilt from the signed answer and sent now.
        for entry in listing.verifications where entry.sequence <= checkpoint && entry.receipt == nil {
            if let answer = entry.answer { try await acknowledge(answer) }
        }
        var next = checkpoint + 1
        let started = ContinuousClock.now
        while true {
            guard let entry = listing.verifications.first(where: { $0.sequence == next }) else {
                return
            }
            guard entry.answer != nil else {
                guard let follow, ContinuousClock.now - started < follow.idleTimeout else {
                    logger.info("\(id): request #\(next) is not answered yet; its answer is applied on a later run")
                    return
                }
                // The hub holds this ask open until the answer arrives (`answered=true`: its own request, listed
                // already, does not end the wait), so the answer is applied as soon as it is there.
                let asked = ContinuousClock.now
                let answered: VerificationAPI.Listing = try await client.get(
                    "/v1/agreements/\(client.escape(id))/verifications?after=\(next - 1)&answered=true&wait=\(follow.longPoll.components.seconds)")
                if answered.verifications.first(where: { $0.sequence == next })?.answer != nil {
                    listing = answered
                } else {
                    // A hub that does not hold the ask open is asked again no sooner than `leastInterval`.
                    let early = follow.pause(sinceAsked: ContinuousClock.now - asked, askedToWait: true)
                    if early > .zero { try await Task.sleep(for: early) }
                }
                continue
            }
            let answer = try await fetchAnswer(id, next, items: items, keyCount: keyCount)
            defer { try? FileManager.default.removeItem(at: answer.file) }
            var applied: Int64 = 0
            try await sink.apply(stream: id, checkpoint: next) { transaction in
                // Decoded on another core while the database applies the lines before.
                let decoded = DecodedLinesAhead(answer.payload, keyring: client.dataKeys, valueCount: answer.manifest.items.count,
                                                maximumRecordBytes: Int(answer.manifest.records.bytes))
                defer { decoded.close() }
                var values = [String?](repeating: nil, count: sinkColumns.count)
                let placing = transaction as? any PlacingSinkTransaction
                while let block = try decoded.next() {
                    for index in 0..<block.count {
                        CrashPoint.reached("verifier.applying")
                        let line = block[index]
                        if let placing {
                            try placing.upsert(line: line, placing: positions)
                        } else {
                            for (index, position) in positions.enumerated() { values[position] = line.value(index) }
                            try transaction.upsert(values)
                        }
                        applied += 1
                    }
                }
                guard let digests = decoded.digests(), digests.wire == answer.manifest.wire, digests.records == answer.manifest.records,
                      applied == answer.manifest.requests else {
                    throw AgentError.verification(what: "answer \(id)#\(next)", reason: "its records, digests or count differ from its manifest")
                }
            }
            let m = answer.manifest
            logger.info("\(id): answer #\(next) applied: \(m.requests) records, \(m.found) found, mismatches \(m.mismatches.map { "\($0.item) \($0.count)" }.joined(separator: ", "))")
            report.answered.append(next)
            report.answers += m.requests
            report.found += m.found
            for mismatch in m.mismatches { report.mismatches[mismatch.item, default: 0] += mismatch.count }
            CrashPoint.reached("verifier.applied-unreceipted")
            try await acknowledge(m)
            next += 1
            if listing.verifications.first(where: { $0.sequence == next }) == nil, listing.lastSequence >= next {
                listing = try await client.get("/v1/agreements/\(client.escape(id))/verifications?after=\(next - 1)")
            }
        }
    }

    /// Downloads an answer and checks it: the provider's signature (its key as registered at the hub), that it
    /// answers this agency's request, and its layout. An answer small enough stays in memory (`payload`), as a
    /// delivery does; `file` is where a larger one was written.
    func fetchAnswer(_ id: String, _ sequence: Int64, items: [String], keyCount: Int) async throws
        -> (manifest: VerificationAnswer, file: URL, payload: DownloadedPayload) {
        let file = URL(fileURLWithPath: configuration.stateDirectory + "/verify/\(id)/answer-\(sequence).deflate")
        let what = "answer \(id)#\(sequence)"
        let downloaded = try await client.download("/v1/agreements/\(client.escape(id))/verifications/\(sequence)/answer",
                                                   to: file, what: what, alsoReading: [], memoryLimit: DeliveryFetcher.memoryLimit)
        let (manifestBase64, signatureBase64) = (downloaded.manifest, downloaded.signature)
        let signed = try SignedDocument<VerificationAnswer>(base64Content: manifestBase64, base64Signature: signatureBase64, field: "manifest")
        let provider: Agency = try await client.get("/v1/agencies/\(client.escape(signed.content.provider))")
        let expected = Array(items.prefix(keyCount)) + [VerificationOutcome.foundItem] + Array(items.dropFirst(keyCount))
        guard signed.isSigned(by: try provider.publicKey()), signed.content.agreementID == id, signed.content.sequence == sequence,
              signed.content.consumer == configuration.agency, signed.content.items == expected else {
            try? FileManager.default.removeItem(at: file)
            throw AgentError.verification(what: what, reason: "the answer is not the provider's signed answer to this request")
        }
        return (signed.content, file, downloaded.payload)
    }

    func acknowledge(_ answer: VerificationAnswer) async throws {
        let receipt = VerificationReceipt(agreementID: answer.agreementID, consumer: configuration.agency, sequence: answer.sequence,
                                          answerRecordsSM3: answer.records.sm3, requests: answer.requests, found: answer.found,
                                          appliedAt: Timestamp.string(from: Date()))
        let signed = try SignedDocument(signing: receipt, with: key)
        let _: ExchangeAPI.ReceiptOutcome = try await client.post(
            "/v1/agreements/\(client.escape(answer.agreementID))/verifications/\(answer.sequence)/receipt",
            ExchangeAPI.SignedReceipt(receipt: signed.base64Content, signature: signed.base64Signature))
    }
}

/// What a verification run did for one agreement, on either side.
public struct VerificationReport: Sendable, Codable {
    public var agreement: String
    public var rowsRead: Int64 = 0
    public var invalid: Int64 = 0
    /// Records with a key already asked in the same request (each key is asked once).
    public var duplicates: Int64 = 0
    /// Requests pushed (consumer) and their records.
    public var requested: [Int64] = []
    public var requests: Int64 = 0
    /// Answers applied (consumer) or pushed (provider), their records and what they said.
    public var answered: [Int64] = []
    public var answers: Int64 = 0
    public var found: Int64 = 0
    public var mismatches: [String: Int64] = [:]

    public init(agreement: String) { self.agreement = agreement }
}
