import Foundation
import GXCrypto
import GXDomain
import Logging

/// The provider's side of verification agreements (比对核实): for each request not yet answered, read the
/// register as the source holds it now (same mapping and normalisation as its batches), sort it by key,
/// merge it with the request — already sorted by key, so one pass over both, never a query per record —
/// and push a signed answer: per request record `found`/`not_found`, per checked item `match`/`mismatch`,
/// never a value.
struct VerificationResponder {
    let configuration: AgentConfiguration
    let configText: String
    let configSource: String
    let client: AgentHubClient
    let key: SM2PrivateKey
    let logger: Logger
    var memoryBudget = VerificationRequester.defaultMemoryBudget

    /// What answering did, per agreement, and what failed (per resource or request, as the run reports them).
    struct Answered: Sendable {
        var reports: [VerificationReport] = []
        var failures: [String] = []
    }

    /// One verification agreement this agency answers, and the last of its requests seen.
    struct Answering: Sendable {
        var resource: ProvidedResource
        var entry: CatalogueEntry
        var agreement: SharingAgreement
        var after: Int64 = 0
        /// The items the next request is expected to ask: the last request's, or else the agreed items the
        /// mapping maps (key first, in the catalogue's order, as a consumer's agent asks them).
        var expectedItems: [String] = []
        var keyCount = 1
    }

    /// Answers every request the hub holds unanswered for `resources`. Following (`gx agent run --follow`),
    /// it then waits for new requests (long polls, `wait=`) and answers each as it arrives, until none arrived
    /// for `follow.idleTimeout` since the last one answered (or since following began), and returns: the
    /// agent runs this beside its asking and consuming, so an agency that both answers and asks never waits
    /// on itself, and the run (and its lock) ends when all have ended.
    func run(_ resources: [ProvidedResource], follow: FollowPolicy?) async throws -> Answered {
        var answered = Answered()
        var agreements: [Answering] = []
        var reports: [VerificationReport] = []
        for resource in resources {
            do {
                let code = resource.resource
                let entry: CatalogueEntry = try await client.get("/v1/catalogue/\(client.escape(code))")
                let active: [SharingAgreement] = try await client.get("/v1/agreements?provider=\(client.escape(configuration.agency))&resource=\(client.escape(code))&state=active")
                for agreement in active where agreement.terms.method == .verification {
                    var answering = Answering(resource: resource, entry: entry, agreement: agreement)
                    var report = VerificationReport(agreement: agreement.id)
                    let listing: VerificationAPI.Listing = try await client.get("/v1/agreements/\(client.escape(agreement.id))/verifications?after=0")
                    answering.after = listing.verifications.last?.sequence ?? 0
                    let keys = entry.keyItems.map(\.name)
                    let mapped = Set(resource.map.map(\.item))
                    answering.keyCount = listing.verifications.last?.request.keyCount ?? keys.count
                    answering.expectedItems = listing.verifications.last?.request.items
                        ?? keys + entry.items.map(\.name).filter { agreement.terms.items.contains($0) && mapped.contains($0) && !keys.contains($0) }
                    agreements.append(answering)
                    reports.append(report)
                    for pending in listing.verifications where pending.answer == nil {
                        try await answer(pending, agreement: agreement, entry: entry, resource: resource, into: &report)
                        reports[reports.count - 1] = report
                    }
                }
            } catch let error as AgentError where error.exitCode >= 2 && error.exitCode != 3 {
                throw error
            } catch {
                logger.error("\(resource.resource) (answering verifications): \(error)")
                answered.failures.append("\(resource.resource) (answering verifications): \(error)")
            }
        }
        if let follow, !agreements.isEmpty {
            try await self.follow(&agreements, reports: &reports, failures: &answered.failures, policy: follow)
        }
        answered.reports = reports
        return answered
    }

    /// Waits for requests after each agreement's `after` and answers them as they arrive, until none arrived
    /// for `policy.idleTimeout`. A request that arrived while `run` answered is after the `after` it listed,
    /// so nothing is missed; one that failed there is not tried again until the next run.
    func follow(_ agreements: inout [Answering], reports: inout [VerificationReport], failures: inout [String], policy: FollowPolicy) async throws {
        logger.info("following verification requests of \(agreements.map(\.agreement.id).joined(separator: ", ")) until none arrives for \(policy.idleTimeout.components.seconds) s")
        // Each register is read and sorted now, while the consumer prepares its records, for the request to come.
        var ahead: [PreparedRegister?] = []
        defer { for register in ahead { register?.discard() } }
        for answering in agreements {
            do {
                ahead.append(try await prepareAhead(answering))
            } catch let error as CancellationError {
                throw error
            } catch {
                logger.warning("\(answering.agreement.id): the register was not read ahead (\(error)); it is read when a request arrives")
                ahead.append(nil)
            }
        }
        // One agreement holds each ask open for the whole long poll; several share it.
        let wait = max(1, policy.longPoll.components.seconds / Int64(agreements.count))
        var idleSince = ContinuousClock.now
        while ContinuousClock.now - idleSince < policy.idleTimeout {
            try Task.checkCancellation()
            let asked = ContinuousClock.now
            var arrived = false
            for index in agreements.indices {
                let id = agreements[index].agreement.id
                let left = policy.idleTimeout - (ContinuousClock.now - idleSince)
                guard left > .zero else { break }
                let seconds = max(1, min(wait, left.components.seconds))
                let listing: VerificationAPI.Listing = try await client.get("/v1/agreements/\(client.escape(id))/verifications?after=\(agreements[index].after)&wait=\(seconds)")
                for pending in listing.verifications where pending.sequence > agreements[index].after {
                    agreements[index].after = pending.sequence
                    guard pending.answer == nil else { continue }
                    arrived = true
                    do {
                        let prepared = ahead[index]
                        ahead[index] = nil
                        try await answer(pending, agreement: agreements[index].agreement, entry: agreements[index].entry,
                                         resource: agreements[index].resource, readAhead: prepared, into: &reports[index])
                    } catch let error as AgentError where error.exitCode >= 2 && error.exitCode != 3 {
                        throw error
                    } catch let error as CancellationError {
                        throw error
                    } catch {
                        logger.error("\(id) (answering request #\(pending.sequence) while following): \(error)")
                        failures.append("\(id) (answering request #\(pending.sequence) while following): \(error)")
                    }
                }
            }
            if arrived {
                idleSince = ContinuousClock.now
            } else {
                // A hub that does not hold the ask open is asked again no sooner than `leastInterval`.
                let early = policy.pause(sinceAsked: ContinuousClock.now - asked, askedToWait: true)
                if early > .zero { try await Task.sleep(for: early) }
            }
        }
        logger.info("no verification request arrived for \(policy.idleTimeout.components.seconds) s: no longer following")
    }

    /// The register of a CSV export, read and sorted for the items the next request is expected to ask; nil
    /// for a database source (what it holds when the request arrives is read then).
    func prepareAhead(_ answering: Answering) async throws -> PreparedRegister? {
        guard answering.resource.source.kind == .csv, !answering.expectedItems.isEmpty else { return nil }
        let started = ContinuousClock.now
        let register = try await prepare(answering.resource, entry: answering.entry, items: answering.expectedItems, keyCount: answering.keyCount,
                                         directory: configuration.stateDirectory + "/answer/\(answering.agreement.id)/ahead")
        logger.info("\(answering.agreement.id): register read ahead for the next request: \(register.collected.rows) rows of \(answering.resource.source.label) in \(ContinuousClock.now - started)")
        return register
    }

    /// Reads the register through the mapping and sorts it by key, with the items in `items`' order.
    func prepare(_ resource: ProvidedResource, entry: CatalogueEntry, items: [String], keyCount: Int, directory: String) async throws -> PreparedRegister {
        let export = resource.source.kind == .csv ? PreparedRegister.ExportState(path: resource.source.path) : nil
        let sorted = try SortedRecords(directory: directory, memoryBudget: memoryBudget, keyring: client.dataKeys)
        do {
            let source = try await LocalData.source(resource.source)
            let collected: VerificationRecords.Outcome
            do {
                collected = try await VerificationRecords(entry: entry, items: items, keyCount: keyCount)
                    .collect(source, map: resource.map, label: resource.source.label, configText: configText, configSource: configSource, into: sorted)
                await source.close()
            } catch {
                await source.close()
                throw error
            }
            return PreparedRegister(sorted: sorted, items: items, keyCount: keyCount, collected: collected, export: export)
        } catch {
            sorted.discard()
            throw error
        }
    }

    func answer(_ pending: VerificationAPI.Entry, agreement: SharingAgreement, entry: CatalogueEntry, resource: ProvidedResource,
                readAhead: PreparedRegister? = nil, into report: inout VerificationReport) async throws {
        let id = agreement.id
        let sequence = pending.sequence
        let what = "request \(id)#\(sequence)"
        let directory = configuration.stateDirectory + "/answer/\(id)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let requestFile = URL(fileURLWithPath: directory + "/request-\(sequence).deflate")
        defer { try? FileManager.default.removeItem(at: requestFile) }
        // A request that fits the delivery memory limit is held in memory: it is answered at once and fetched
        // again after a crash, so it need not be sealed, written and opened again.
        let downloaded = try await client.download("/v1/agreements/\(client.escape(id))/verifications/\(sequence)/request",
                                                   to: requestFile, what: what, alsoReading: [], memoryLimit: DeliveryFetcher.memoryLimit)
        let (manifestBase64, signatureBase64) = (downloaded.manifest, downloaded.signature)
        let signed = try SignedDocument<VerificationRequest>(base64Content: manifestBase64, base64Signature: signatureBase64, field: "manifest")
        let consumer: Agency = try await client.get("/v1/agencies/\(client.escape(agreement.terms.consumer))")
        let request = signed.content
        guard signed.sm3 == pending.requestSM3, signed.isSigned(by: try consumer.publicKey()), request.agreementID == id,
              request.provider == configuration.agency, request.keyCount >= 1 else {
            throw AgentError.verification(what: what, reason: "the request is not the consumer's signed request listed by the hub")
        }
        // The register, sorted by key, with the request's items in the request's order: read ahead if that
        // reading holds exactly these items from the export as it is now, else read now.
        let register: PreparedRegister
        if let readAhead, readAhead.answers(items: request.items, keyCount: request.keyCount, exportPath: resource.source.path) {
            register = readAhead
        } else {
            if let readAhead {
                logger.info("\(id): request #\(sequence) asks other items than the register read ahead, or the export changed since: read again")
                readAhead.discard()
            }
            register = try await prepare(resource, entry: entry, items: request.items, keyCount: request.keyCount, directory: directory + "/sort")
        }
        defer { register.discard() }
        let sorted = register.sorted, collected = register.collected
        if collected.invalid > 0 {
            logger.warning("\(id): \(collected.invalid) rows of \(resource.source.label) do not map or validate and are not compared, e.g. \(collected.firstProblem ?? "-")")
        }
        report.rowsRead += collected.rows
        report.invalid += collected.invalid

        // One pass over the request and the sorted register together.
        let answerFile = directory + "/answer-\(sequence).deflate"
        defer { try? FileManager.default.removeItem(atPath: answerFile) }
        unlink(answerFile)
        // Deflated, digested and sealed on another core while this one merges.
        let output: PayloadWriteBehind
        do { output = try PayloadWriteBehind(path: answerFile, sealingWith: client.dataKeys?.current) } catch {
            throw AgentError.localData("cannot write \(answerFile): \(error)")
        }
        defer { output.abandon() }
        let registerLines = try sorted.reader()
        var current = try registerLines.next()
        var tokens: [Int] = []
        var line: [UInt8] = []
        // The register's line for the key being answered, copied out of the sort to be checked.
        var heldLine: [UInt8] = []
        var found: Int64 = 0
        var mismatches = [Int64](repeating: 0, count: request.checkedItems.count)
        let keyCount = request.keyCount, valueCount = request.items.count
        do {
            // Opened, checked, decrypted, inflated and digested on another core while this one merges.
            let decoded = DecodedLinesAhead(downloaded.payload, keyring: client.dataKeys, valueCount: valueCount,
                                            maximumRecordBytes: Int(request.records.bytes))
            defer { decoded.close() }
            var upserts: Int64 = 0
            while let block = try decoded.next() {
                for index in 0..<block.count {
                    let asked = block[index]
                    if asked.operation == .upsert { upserts += 1 }
                    let keyRange = asked.tokenRange(0).lowerBound..<asked.tokenRange(keyCount - 1).upperBound
                    let isHeld = try asked.withBytes { bytes in
                        let key = UnsafeRawBufferPointer(rebasing: bytes[keyRange])
                        while let record = current, SortedRecords.compare(record.key, key) < 0 { current = try registerLines.next() }
                        guard let record = current, SortedRecords.compare(record.key, key) == 0 else { return false }
                        heldLine.removeAll(keepingCapacity: true)
                        heldLine.append(contentsOf: UnsafeRawBufferPointer(rebasing: record.line.dropLast()))
                        return true
                    }
                    var held: CanonicalRecordLine?
                    if isHeld {
                        held = try CanonicalRecordLine(checking: heldLine[...], valueCount: valueCount, tokens: &tokens)
                        found += 1
                    }
                    line.removeAll(keepingCapacity: true)
                    VerificationOutcome.writeAnswer(for: asked, keyCount: keyCount, register: held, into: &line, mismatches: &mismatches)
                    try output.append(line: line)
                }
            }
            guard let digests = decoded.digests(), digests.records == request.records, digests.wire == request.wire, upserts == request.requests else {
                throw AgentError.verification(what: what, reason: "its records, digests or count differ from its manifest")
            }
        }
        let digests = try output.finish()
        let counted = zip(request.checkedItems, mismatches).map { ItemCount(item: $0, count: $1) }
        let manifest = VerificationAnswer(agreementID: id, provider: configuration.agency, consumer: request.consumer, resourceCode: request.resourceCode,
                                          sequence: sequence, requestSM3: signed.sm3,
                                          items: Array(request.items.prefix(keyCount)) + [VerificationOutcome.foundItem] + request.checkedItems,
                                          requests: request.requests, found: found, mismatches: counted, records: digests.records, wire: digests.wire,
                                          createdAt: Timestamp.string(from: Date()))
        let answer = try SignedDocument(signing: manifest, with: key)
        CrashPoint.reached("responder.answering")
        let outcome: VerificationAPI.Outcome = try await client.upload("/v1/agreements/\(client.escape(id))/verifications/\(sequence)/answer",
                                                                       manifestBase64: answer.base64Content, signatureBase64: answer.base64Signature,
                                                                       payload: URL(fileURLWithPath: answerFile), inMemory: digests.copy)
        report.answered.append(sequence)
        report.answers += request.requests
        report.found += found
        for item in counted { report.mismatches[item.item, default: 0] += item.count }
        logger.info("\(id): answer #\(sequence) \(outcome.status): \(request.requests) records, \(found) found, mismatches \(counted.map { "\($0.item) \($0.count)" }.joined(separator: ", ")) (register \(collected.rows) rows, \(sorted.runCount) sorted runs)")
    }
}
