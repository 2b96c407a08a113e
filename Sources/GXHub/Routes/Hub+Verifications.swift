import Foundation
import GXCrypto
import GXDomain
import GXStorage
import Hummingbird
import HTTPTypes
import ServiceLifecycle

/// Verification (比对核实): the consumer pushes the records it holds, the provider answers found/not found
/// and match/mismatch per item, and the hub checks both against the agreement and against each other. The
/// provider's register never comes here, and the consumer receives no value it did not send.
extension Hub {
    func addVerificationRoutes(to router: Router<HubRequestContext>) {
        // The consumer pushes one request: signed manifest in headers, deflated canonical records (sorted by key) as the body.
        router.on(.post, "/v1/agreements/:id/verifications", allow: [.agency]) { request, context, principal in
            let id = try QueryParameters(request, context).path("id")
            let outcome = try await acceptVerificationRequest(id, request: request, by: principal)
            return try JSONResponse.make(outcome, status: outcome.status == "accepted" ? .created : .ok)
        }

        // The agreement's requests with their answers and receipts (documents only): for its two parties, the admin and auditors.
        router.on(.get, "/v1/agreements/:id/verifications", allow: [.admin, .auditor, .agency]) { request, context, principal in
            let parameters = QueryParameters(request, context)
            let after = try parameters.integer("after", in: 0...Int64.max, default: 0)
            let id = try parameters.path("id")
            _ = try await verificationsReadable(id, by: principal)
            let wait = try parameters.seconds("wait", in: 0...Self.maximumWait, default: 0)
            // `answered=true` lists only the answered requests after `after`, up to the first one not answered:
            // the answers a consumer can apply next, in order. Without it, every request after `after`.
            let answered = try Self.flag(parameters, "answered")
            func listed() async throws -> [StoredVerification] {
                let page = try await store.verifications(agreementID: id, after: after, limit: 1000)
                return answered ? Array(page.prefix { $0.answer != nil }) : page
            }
            // With `wait=S`, a list that would be empty waits up to S seconds for a request (or, with
            // `answered=true`, an answer) to arrive: a following provider or consumer hears of it at once.
            let stream = Self.verificationStream(id)
            var mark = arrivals.mark(stream)
            var kept = try await listed()
            let deadline = ContinuousClock.now + .seconds(wait)
            while kept.isEmpty, ContinuousClock.now < deadline, !Task.isShuttingDownGracefully {
                let since = mark
                await cancelWhenGracefulShutdown { await arrivals.wait(for: stream, since: since, until: deadline) }
                try Task.checkCancellation()
                mark = arrivals.mark(stream)
                kept = try await listed()
            }
            let last = try await store.lastVerificationSequence(agreementID: id)
            return try JSONResponse.make(VerificationAPI.Listing(lastSequence: last, verifications: kept.map(Self.listed)))
        }

        // The provider downloads a request to answer it.
        router.on(.get, "/v1/agreements/:id/verifications/:seq/request", allow: [.agency]) { request, context, principal in
            let parameters = QueryParameters(request, context)
            let sequence = try parameters.sequence("seq")
            let agreement = try await verificationAgreement(try parameters.path("id"), for: principal, as: .provider)
            let kept = try await keptVerification(agreement.id, sequence)
            return try await streamed(kept.requestPath, bytes: kept.request.wire.bytes, manifest: kept.requestBase64,
                                signature: kept.requestSignatureBase64, what: "request \(agreement.id)#\(sequence)")
        }

        // The provider pushes its answer to one request.
        router.on(.post, "/v1/agreements/:id/verifications/:seq/answer", allow: [.agency]) { request, context, principal in
            let parameters = QueryParameters(request, context)
            let sequence = try parameters.sequence("seq")
            let outcome = try await acceptVerificationAnswer(try parameters.path("id"), sequence: sequence, request: request, by: principal)
            return try JSONResponse.make(outcome, status: outcome.status == "accepted" ? .created : .ok)
        }

        // The consumer downloads the answer to its request (and no one else may).
        router.on(.get, "/v1/agreements/:id/verifications/:seq/answer", allow: [.agency]) { request, context, principal in
            let parameters = QueryParameters(request, context)
            let sequence = try parameters.sequence("seq")
            let agreement = try await verificationAgreement(try parameters.path("id"), for: principal, as: .consumer)
            let kept = try await keptVerification(agreement.id, sequence)
            guard let answer = kept.answer, let manifest = kept.answerBase64, let signature = kept.answerSignatureBase64 else {
                throw HubAPIError(.conflict, "request \(agreement.id)#\(sequence) is not answered yet", field: "seq")
            }
            return try await streamed(kept.answerPath, bytes: answer.wire.bytes, manifest: manifest, signature: signature,
                                what: "answer \(agreement.id)#\(sequence)")
        }

        // The consumer's signed receipt after applying an answer.
        router.on(.post, "/v1/agreements/:id/verifications/:seq/receipt", allow: [.agency]) { request, context, principal in
            let parameters = QueryParameters(request, context)
            let sequence = try parameters.sequence("seq")
            let id = try parameters.path("id")
            let body = try await request.decodeBody(ExchangeAPI.SignedReceipt.self, context: context)
            let outcome = try await recordVerificationReceipt(id, sequence: sequence, body, by: principal)
            return try JSONResponse.make(outcome, status: outcome.status == "recorded" ? .created : .ok)
        }
    }

    /// The agreement whose verifications `principal` asks to read: its consumer and provider, the admin and
    /// auditors may (the API's listing and the console's page alike).
    public func verificationsReadable(_ id: String, by principal: Principal) async throws -> SharingAgreement {
        guard let agreement = try await store.agreement(id: id) else { throw StoreError.notFound(what: "agreement \(id)") }
        if case let .agency(agency) = principal, agency != agreement.terms.consumer, agency != agreement.terms.provider {
            throw HubAPIError.forbidden(principal, "list the verifications of \(id): only its consumer and provider may")
        }
        return agreement
    }

    /// Every request of a verification agreement with its answer and receipt (documents, never a record), for
    /// those `verificationsReadable` lets read them.
    public func verifications(_ id: String, readBy principal: Principal) async throws -> [VerificationAPI.Entry] {
        let agreement = try await verificationsReadable(id, by: principal)
        var all: [VerificationAPI.Entry] = []
        var after: Int64 = 0
        while true {
            let page = try await store.verifications(agreementID: agreement.id, after: after, limit: 1000)
            guard let last = page.last else { return all }
            all += page.map(Self.listed)
            after = last.sequence
        }
    }

    /// The name verification arrivals of an agreement are announced under (not a resource code: it has a `/`).
    static func verificationStream(_ id: String) -> String { "verification/\(id)" }

    static func listed(_ kept: StoredVerification) -> VerificationAPI.Entry {
        var entry = VerificationAPI.Entry(sequence: kept.sequence, request: kept.request, requestSM3: kept.requestSM3, requestedAt: kept.requestedAt,
                                          requestBase64: kept.requestBase64, requestSignatureBase64: kept.requestSignatureBase64)
        entry.answer = kept.answer
        entry.answerBase64 = kept.answerBase64
        entry.answerSignatureBase64 = kept.answerSignatureBase64
        entry.answeredAt = kept.answeredAt
        entry.receipt = kept.receipt
        entry.receivedAt = kept.receivedAt
        return entry
    }

    enum VerificationParty { case consumer, provider }

    /// The agreement, if it is a verification agreement, `principal` is the named party and it permits
    /// exchange today; otherwise a refusal that is also audited.
    func verificationAgreement(_ id: String, for principal: Principal, as party: VerificationParty, auditing: Bool = true) async throws -> SharingAgreement {
        guard let agreement = try await store.agreement(id: id) else { throw StoreError.notFound(what: "agreement \(id)") }
        let today = Timestamp.beijingDay(of: now())
        let expected = party == .consumer ? agreement.terms.consumer : agreement.terms.provider
        let refusal: HubAPIError? = if principal.id != expected {
            HubAPIError.forbidden(principal, "act as the \(party) of verification agreement \(id): that is \(expected)")
        } else if agreement.terms.method != .verification {
            HubAPIError(.conflict, "agreement \(id) is a \(agreement.terms.method.rawValue) agreement, not a verification one", field: "id")
        } else if !agreement.permitsExchange(on: today) {
            HubAPIError(.forbidden, "agreement \(id) is \(agreement.state.rawValue), valid \(agreement.terms.validFrom)…\(agreement.terms.validUntil): nothing may be verified under it")
        } else {
            nil
        }
        if let refusal {
            if auditing { try await auditRefusal(AuditDraft(actor: principal.description, action: "verification.refused", subject: id, agreement: id,
                                              agencies: [principal.id], details: ["reason": .string(RefusalAuditing.excerpt(refusal.message))]),
                                   by: principal) }
            throw refusal
        }
        return agreement
    }

    func keptVerification(_ id: String, _ sequence: Int64) async throws -> StoredVerification {
        guard let kept = try await store.verification(agreementID: id, sequence: sequence) else {
            throw StoreError.notFound(what: "verification request \(id)#\(sequence)")
        }
        return kept
    }

    /// A kept payload as a response, with its signed manifest in the headers.
    func streamed(_ path: String?, bytes: Int64, manifest: String, signature: String, what: String) async throws -> Response {
        guard let path else { throw HubAPIError(.gone, "the payload of \(what) was pruned") }
        let reader = try await openPayload(path, expecting: bytes, what: what)
        var headers = HTTPFields()
        headers[.contentType] = "application/octet-stream"
        headers[BatchHeader.manifest] = manifest
        headers[BatchHeader.signature] = signature
        headers[.contentLength] = String(bytes)
        return Response(status: .ok, headers: headers, body: payloadBody(reader))
    }

    /// Checks a pushed request completely — consumer, agreement, items, sequence, signature, every record
    /// against the catalogue, key order, counts and digests — and only then keeps it with its audit entry.
    func acceptVerificationRequest(_ id: String, request: Request, by principal: Principal) async throws -> VerificationAPI.Outcome {
        guard let manifestHeader = request.headers[BatchHeader.manifest], let signatureHeader = request.headers[BatchHeader.signature] else {
            throw HubAPIError(.badRequest, "a request needs the X-GX-Manifest and X-GX-Signature headers", field: "manifest")
        }
        let signed = try SignedDocument<VerificationRequest>(base64Content: manifestHeader, base64Signature: signatureHeader, field: "manifest")
        let manifest = signed.content
        do {
            let agreement = try await verificationAgreement(id, for: principal, as: .consumer, auditing: false)
            let terms = agreement.terms
            guard manifest.agreementID == id, manifest.consumer == principal.id, manifest.provider == terms.provider,
                  manifest.resourceCode == terms.resourceCode else {
                throw HubAPIError(.badRequest, "the manifest is for \(manifest.agreementID) (\(manifest.consumer) → \(manifest.provider), \(manifest.resourceCode)), pushed under \(id)", field: "manifest.agreement")
            }
            guard let consumer = try await store.agency(code: principal.id), signed.isSigned(by: try consumer.unrevokedKey(at: Timestamp.string(from: now()))) else {
                throw HubAPIError(.unprocessableContent, "the manifest signature does not verify with \(principal.id)'s registered key", field: "signature")
            }
            let last = try await store.lastVerificationSequence(agreementID: id)
            if manifest.sequence <= last, let kept = try await store.verification(agreementID: id, sequence: manifest.sequence) {
                guard kept.requestSM3 == signed.sm3 else {
                    throw HubAPIError(.conflict, "request \(id)#\(manifest.sequence) was already accepted with another manifest; the next sequence is \(last + 1)", field: "manifest.sequence")
                }
                for try await _ in request.body {}
                return VerificationAPI.Outcome(status: "already accepted", sequence: manifest.sequence, sm3: kept.requestSM3)
            }
            guard manifest.sequence == last + 1 else {
                throw HubAPIError(.conflict, "expected request sequence \(last + 1) under \(id), got \(manifest.sequence)", field: "manifest.sequence")
            }
            guard let entry = try await store.catalogueEntry(resourceCode: terms.resourceCode, schemaVersion: nil),
                  manifest.schemaVersion == entry.schemaVersion else {
                throw HubAPIError(.badRequest, "schema version \(manifest.schemaVersion) is not the published one of \(terms.resourceCode)", field: "manifest.schema_version")
            }
            try checkRequestItems(manifest, entry: entry, agreed: terms.items)
            let validator = try RecordValidator(entry: entry, items: manifest.items)
            var previous: [UInt8] = [], first = true
            let keyCount = manifest.keyCount
            var keyDigest = RequestKeyDigest(), everyItemAsked = true
            let (upload, digests, counts) = try await receiveRecords(request.body, wire: manifest.wire, records: manifest.records,
                                                                   valueCount: manifest.items.count, .immediate { line, position in
                if let violation = validator.violation(in: line) {
                    throw InvalidInput(field: "records", reason: "record \(position): \(violation)")
                }
                guard line.operation == .upsert else { throw InvalidInput(field: "records", reason: "record \(position) is not an upsert") }
                let key = VerificationOutcome.key(of: line, keyCount: keyCount)
                if !first, VerificationOutcome.compare(previous[...], key) >= 0 {
                    throw InvalidInput(field: "records", reason: "record \(position) is not after the one before it in key order (a request is sorted by key, each key once)")
                }
                first = false
                previous.removeAll(keepingCapacity: true)
                previous.append(contentsOf: key)
                if everyItemAsked {
                    everyItemAsked = VerificationOutcome.asksEveryItem(line, keyCount: keyCount)
                    keyDigest.append(key)
                }
            })
            let relative: String, keeping: [HubChange]
            do {
                try check(digests.wire, against: manifest.wire, "wire")
                try check(digests.records, against: manifest.records, "records")
                guard counts.upserts == manifest.requests else {
                    throw HubAPIError(.unprocessableContent, "the payload holds \(counts.upserts) records, the manifest says \(manifest.requests)", field: "manifest.requests")
                }
                relative = try verificationPath(terms.resourceCode, id, manifest.sequence, signed.sm3, "request")
                keeping = try await payloads.keeping(upload, as: relative)
            } catch {
                await payloads.forget(upload, keptAs: nil)
                throw error
            }
            let time = now()
            var stored = StoredVerification(request: manifest, requestBase64: signed.base64Content, requestSignatureBase64: signed.base64Signature,
                                            requestSM3: signed.sm3, requestPath: relative, requestedAt: Timestamp.string(from: time))
            stored.requestKeysSM3 = everyItemAsked ? keyDigest.finish() : nil
            do {
                try await store.commit([.saveVerification(stored, expectedRevision: nil)] + keeping, audit: [AuditDraft(
                    actor: principal.description, action: "verification.requested", subject: "\(id)#\(manifest.sequence)", agreement: id,
                    agencies: [terms.provider, terms.consumer],
                    details: ["sequence": .integer(manifest.sequence), "requests": .integer(manifest.requests), "request_sm3": .string(signed.sm3),
                              "items": .array(manifest.checkedItems.map { .string($0) }), "records_sm3": .string(manifest.records.sm3)])], at: time)
            } catch StoreError.duplicate {
                let kept = try await store.verification(agreementID: id, sequence: manifest.sequence)
                if kept?.requestSM3 == signed.sm3 {
                    await payloads.forget(upload, keptAs: nil)
                    return VerificationAPI.Outcome(status: "already accepted", sequence: manifest.sequence, sm3: signed.sm3)
                }
                await payloads.forget(upload, keptAs: relative)
                throw HubAPIError(.conflict, "request \(id)#\(manifest.sequence) was accepted meanwhile with another manifest", field: "manifest.sequence")
            } catch {
                await payloads.forget(upload, keptAs: relative)
                throw error
            }
            arrivals.announce(Self.verificationStream(id))
            logger.info("accepted verification request \(id)#\(manifest.sequence) from \(principal.id): \(manifest.requests) records")
            return VerificationAPI.Outcome(status: "accepted", sequence: manifest.sequence, sm3: signed.sm3)
        } catch {
            let reason = RefusalAuditing.excerpt(HubAPIError.from(error)?.message ?? "\(error)")
            try? await auditRefusal(AuditDraft(actor: principal.description, action: "verification.refused",
                                               subject: RefusalAuditing.excerpt(id, limit: 64), agreement: nil, agencies: [principal.id],
                                               details: ["reason": .string(reason), "claimed_sequence": .integer(manifest.sequence)]), by: principal)
            logger.notice("refused verification request under \(RefusalAuditing.excerpt(id, limit: 80)) from \(principal.id): \(reason)")
            throw error
        }
    }

    /// The entry's key items first, then items to check: each agreed, each once, in the catalogue's order.
    func checkRequestItems(_ manifest: VerificationRequest, entry: CatalogueEntry, agreed: [String]) throws {
        let keys = entry.keyItems.map(\.name)
        guard manifest.keyCount == keys.count, Array(manifest.items.prefix(manifest.keyCount)) == keys else {
            throw HubAPIError(.badRequest, "a request's records start with the key items \(keys.joined(separator: ", "))", field: "manifest.items")
        }
        let checked = manifest.checkedItems
        guard !checked.isEmpty else { throw HubAPIError(.badRequest, "name at least one item to check", field: "manifest.items") }
        let agreedSet = Set(agreed)
        for item in checked where !agreedSet.contains(item) || keys.contains(item) {
            throw HubAPIError(.forbidden, "'\(item)' is not an item the agreement lets the consumer check", field: "manifest.items")
        }
        let order = entry.items.map(\.name)
        let positions = checked.map { order.firstIndex(of: $0) ?? -1 }
        guard zip(positions, positions.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw HubAPIError(.badRequest, "the items to check are listed once each, in the catalogue's order", field: "manifest.items")
        }
    }

    func verificationPath(_ resource: String, _ id: String, _ sequence: Int64, _ sm3: String, _ kind: String) throws -> String {
        try checkedResourceCode(resource)
        guard PathSafeCode.isValid(id) else {
            throw HubAPIError(.conflict, "agreement id '\(id)' cannot name a folder: \(PathSafeCode.rule)", field: "id")
        }
        return "\(resource)/verifications/\(id)/\(sequence)-\(sm3.prefix(16)).\(kind)"
    }

    /// How `receiveRecords` checks each record line, with its position: where it is split (`immediate`), or,
    /// when the check must wait (for the next record of a kept request, read from the store), once its piece
    /// is split (`waiting`: each line is then copied out first).
    enum RecordCheck {
        case immediate((CanonicalRecordLine, Int64) throws -> Void)
        case waiting((CanonicalRecordLine, Int64) async throws -> Void)
    }

    /// Streams a body to a provisional payload while decoding it, calling `check` with each record line;
    /// returns the payload's provisional name, the digests and the counts. The caller checks them against its
    /// manifest, and keeps or forgets the payload.
    ///
    /// The body is inflated a piece ahead (``InflationAhead``) and each piece's lines checked while the next
    /// inflates, so a check may wait (for the next chunk of a kept request, read from the database) while
    /// what one piece inflates to stays small.
    func receiveRecords(_ body: RequestBody, wire: PayloadDigest, records: PayloadDigest, valueCount: Int,
                        _ check: RecordCheck) async throws -> (String, (records: PayloadDigest, wire: PayloadDigest), BatchCounts) {
        let output = try await createPayload(behind: true, served: true)
        var complete = false
        defer { if !complete { output.abandon() } }
        let inflation = try PayloadInflation(maximumRecordBytes: Int(min(limits.maximumRecordBytes, records.bytes)))
        let ahead = InflationAhead(inflation)
        let lines = CanonicalLineReader(valueCount: valueCount)
        var received: Int64 = 0
        // A piece's lines as the reader checked them, each with its position, for a check that waits.
        var checked: [(CanonicalRecordLine, Int64)] = []
        func checkLines(of inflated: [UInt8]?) async throws {
            guard let inflated else { return }
            switch check {
            case .immediate(let check):
                try lines.consumeLines(inflated, check)
            case .waiting(let check):
                try lines.consumeLines(inflated) { line, position in checked.append((line, position)) }
                for (line, position) in checked { try await check(line, position) }
                // Let go of the reader's lines before it splits the next piece.
                checked.removeAll(keepingCapacity: true)
            }
        }
        for try await buffer in body {
            received += Int64(buffer.readableBytes)
            guard received <= limits.maximumWireBytes, received <= wire.bytes else {
                throw HubAPIError(.contentTooLarge, "the payload is larger than the manifest's \(wire.bytes) bytes or the hub's limit")
            }
            let bytes = buffer.readableBytesView
            try await ahead.feed(bytes) { try await checkLines(of: $0) }
            try await output.write(bytes)
        }
        try await checkLines(of: try await ahead.finish())
        let digests = try inflation.finish()
        try lines.finish()
        try await output.finish()
        complete = true
        return (output.name, digests, lines.counts)
    }

    /// Checks a pushed answer against the request it answers, record for record — the same keys in the same
    /// order, nothing skipped or added, only the words of an answer — and its counts; then keeps it.
    func acceptVerificationAnswer(_ id: String, sequence: Int64, request: Request, by principal: Principal) async throws -> VerificationAPI.Outcome {
        guard let manifestHeader = request.headers[BatchHeader.manifest], let signatureHeader = request.headers[BatchHeader.signature] else {
            throw HubAPIError(.badRequest, "an answer needs the X-GX-Manifest and X-GX-Signature headers", field: "manifest")
        }
        let signed = try SignedDocument<VerificationAnswer>(base64Content: manifestHeader, base64Signature: signatureHeader, field: "manifest")
        let answer = signed.content
        do {
            let agreement = try await verificationAgreement(id, for: principal, as: .provider, auditing: false)
            let kept = try await keptVerification(id, sequence)
            let asked = kept.request
            let items = Array(asked.items.prefix(asked.keyCount)) + [VerificationOutcome.foundItem] + asked.checkedItems
            guard answer.agreementID == id, answer.sequence == sequence, answer.provider == principal.id,
                  answer.consumer == agreement.terms.consumer, answer.resourceCode == agreement.terms.resourceCode else {
                throw HubAPIError(.badRequest, "the manifest answers \(answer.agreementID)#\(answer.sequence), pushed for \(id)#\(sequence)", field: "manifest.agreement")
            }
            guard answer.requestSM3 == kept.requestSM3 else {
                throw HubAPIError(.badRequest, "the manifest answers request \(answer.requestSM3.prefix(16))…, not \(kept.requestSM3.prefix(16))…", field: "manifest.request_sm3")
            }
            guard answer.items == items else {
                throw HubAPIError(.badRequest, "an answer's values are \(items.joined(separator: ", "))", field: "manifest.items")
            }
            guard let provider = try await store.agency(code: principal.id), signed.isSigned(by: try provider.unrevokedKey(at: Timestamp.string(from: now()))) else {
                throw HubAPIError(.unprocessableContent, "the manifest signature does not verify with \(principal.id)'s registered key", field: "signature")
            }
            if let answered = kept.answerSM3 {
                guard answered == signed.sm3 else {
                    throw HubAPIError(.conflict, "request \(id)#\(sequence) is already answered", field: "seq")
                }
                for try await _ in request.body {}
                return VerificationAPI.Outcome(status: "already accepted", sequence: sequence, sm3: answered)
            }
            guard let requestPath = kept.requestPath else { throw HubAPIError(.gone, "request \(id)#\(sequence) was pruned") }
            // A request that asked every item for every record is checked against its key digest; any other is
            // read again, record for record, beside the answer.
            let requests = kept.requestKeysSM3 != nil ? nil
                : try RequestRecords(try await openPayload(requestPath, expecting: asked.wire.bytes, what: "request \(id)#\(sequence)"), request: asked)
            defer { requests?.close() }
            var answeredKeys = RequestKeyDigest()
            let keyCount = asked.keyCount
            var found: Int64 = 0
            var mismatches = [Int64](repeating: 0, count: asked.checkedItems.count)
            func tally(_ checked: Result<(found: Bool, mismatched: [Int]), VerificationOutcome.AnswerFault>, _ position: Int64) throws {
                switch checked {
                case .success(let outcome):
                    if outcome.found { found += 1 }
                    for index in outcome.mismatched { mismatches[index] += 1 }
                case .failure(.notInStep):
                    throw HubAPIError(.unprocessableContent, "answer record \(position) is not the answer to request record \(position): the answer skips or adds records", field: "records")
                case .failure(.malformed(let reason)):
                    throw HubAPIError(.unprocessableContent, "answer record \(position): \(reason)", field: "records")
                }
            }
            func addsNothing(_ position: Int64, requests: Int64) -> HubAPIError {
                HubAPIError(.unprocessableContent, "answer record \(position) answers no request record: the request has \(requests) (an answer adds nothing)", field: "records")
            }
            let recordCheck: RecordCheck = if let requests {
                .waiting { line, position in
                    guard let record = try await requests.next() else { throw addsNothing(position, requests: position - 1) }
                    try tally(VerificationOutcome.check(answer: line, request: record, keyCount: keyCount), position)
                }
            } else {
                .immediate { line, position in
                    guard position <= asked.requests else { throw addsNothing(position, requests: asked.requests) }
                    answeredKeys.append(VerificationOutcome.key(of: line, keyCount: keyCount))
                    try tally(VerificationOutcome.checkWords(answeringEveryItem: line, keyCount: keyCount), position)
                }
            }
            let (upload, digests, counts) = try await receiveRecords(request.body, wire: answer.wire, records: answer.records,
                                                                     valueCount: items.count, recordCheck)
            let relative: String, keeping: [HubChange], counted: [ItemCount]
            do {
                if let requests {
                    guard try await requests.next() == nil else {
                        throw HubAPIError(.unprocessableContent, "the answer has \(counts.records) records, the request \(asked.requests): the answer skips records", field: "records")
                    }
                } else {
                    guard counts.records == asked.requests else {
                        throw HubAPIError(.unprocessableContent, "the answer has \(counts.records) records, the request \(asked.requests): the answer skips records", field: "records")
                    }
                    guard answeredKeys.finish() == kept.requestKeysSM3 else {
                        throw HubAPIError(.unprocessableContent, "the answer's keys are not the request's in the request's order: the answer skips, adds or answers other records", field: "records")
                    }
                }
                try check(digests.wire, against: answer.wire, "wire")
                try check(digests.records, against: answer.records, "records")
                counted = zip(asked.checkedItems, mismatches).map { ItemCount(item: $0, count: $1) }
                guard answer.requests == counts.upserts, answer.found == found, answer.mismatches == counted else {
                    throw HubAPIError(.unprocessableContent, "the answer holds \(counts.upserts) records, \(found) found, mismatches \(counted.map { "\($0.item) \($0.count)" }.joined(separator: ", ")); the manifest says otherwise", field: "manifest.found")
                }
                relative = try verificationPath(agreement.terms.resourceCode, id, sequence, signed.sm3, "answer")
                keeping = try await payloads.keeping(upload, as: relative)
            } catch {
                await payloads.forget(upload, keptAs: nil)
                throw error
            }
            let time = now()
            var updated = kept
            updated.answer = answer
            updated.answerBase64 = signed.base64Content
            updated.answerSignatureBase64 = signed.base64Signature
            updated.answerSM3 = signed.sm3
            updated.answerPath = relative
            updated.answeredAt = Timestamp.string(from: time)
            updated.revision += 1
            var details: [String: CanonicalJSON] = ["sequence": .integer(sequence), "requests": .integer(answer.requests), "found": .integer(found),
                                                    "answer_sm3": .string(signed.sm3), "records_sm3": .string(answer.records.sm3)]
            details["mismatches"] = .object(Dictionary(uniqueKeysWithValues: counted.map { ($0.item, CanonicalJSON.integer($0.count)) }))
            do {
                try await store.commit([.saveVerification(updated, expectedRevision: kept.revision)] + keeping, audit: [AuditDraft(
                    actor: principal.description, action: "verification.answered", subject: "\(id)#\(sequence)", agreement: id,
                    agencies: [agreement.terms.provider, agreement.terms.consumer], details: details)], at: time)
            } catch {
                await payloads.forget(upload, keptAs: relative)
                if let failure = error as? StoreError, case .conflict = failure, let again = try await store.verification(agreementID: id, sequence: sequence), again.answerSM3 == signed.sm3 {
                    return VerificationAPI.Outcome(status: "already accepted", sequence: sequence, sm3: signed.sm3)
                }
                throw error
            }
            arrivals.announce(Self.verificationStream(id))
            logger.info("accepted verification answer \(id)#\(sequence) from \(principal.id): \(answer.requests) records, \(found) found")
            return VerificationAPI.Outcome(status: "accepted", sequence: sequence, sm3: signed.sm3)
        } catch {
            let reason = RefusalAuditing.excerpt(HubAPIError.from(error)?.message ?? "\(error)")
            try? await auditRefusal(AuditDraft(actor: principal.description, action: "verification.refused",
                                               subject: RefusalAuditing.excerpt("\(id)#\(sequence)", limit: 80), agreement: nil,
                                               agencies: [principal.id], details: ["reason": .string(reason)]), by: principal)
            logger.notice("refused verification answer for \(RefusalAuditing.excerpt(id, limit: 80))#\(sequence) from \(principal.id): \(reason)")
            throw error
        }
    }

    func recordVerificationReceipt(_ id: String, sequence: Int64, _ body: ExchangeAPI.SignedReceipt, by principal: Principal) async throws -> ExchangeAPI.ReceiptOutcome {
        guard let agreement = try await store.agreement(id: id) else { throw StoreError.notFound(what: "agreement \(id)") }
        guard principal.id == agreement.terms.consumer else {
            throw HubAPIError.forbidden(principal, "acknowledge answers of agreement \(id): its consumer is \(agreement.terms.consumer)")
        }
        let signed = try SignedDocument<VerificationReceipt>(base64Content: body.receipt, base64Signature: body.signature, field: "receipt")
        let receipt = signed.content
        guard receipt.agreementID == id, receipt.sequence == sequence, receipt.consumer == principal.id else {
            throw HubAPIError(.badRequest, "the receipt is for \(receipt.agreementID)#\(receipt.sequence) by \(receipt.consumer)", field: "receipt")
        }
        guard let consumer = try await store.agency(code: principal.id), signed.isSigned(by: try consumer.unrevokedKey(at: Timestamp.string(from: now()))) else {
            throw HubAPIError(.unprocessableContent, "the receipt signature does not verify with \(principal.id)'s registered key", field: "signature")
        }
        let kept = try await keptVerification(id, sequence)
        guard let answer = kept.answer else { throw HubAPIError(.conflict, "request \(id)#\(sequence) is not answered yet", field: "sequence") }
        guard receipt.answerRecordsSM3 == answer.records.sm3, receipt.requests == answer.requests, receipt.found == answer.found else {
            throw HubAPIError(.unprocessableContent, "the receipt's records SM3 or counts differ from the answer", field: "receipt.answer_records_sm3")
        }
        if let earlier = kept.receipt {
            var again = receipt
            again.appliedAt = earlier.appliedAt
            guard again == earlier else { throw HubAPIError(.conflict, "a different receipt for \(id)#\(sequence) is already recorded") }
            return ExchangeAPI.ReceiptOutcome(status: "already recorded", sequence: sequence)
        }
        let time = now()
        var updated = kept
        updated.receipt = receipt
        updated.receiptBase64 = signed.base64Content
        updated.receiptSignatureBase64 = signed.base64Signature
        updated.receivedAt = Timestamp.string(from: time)
        updated.revision += 1
        try await store.commit([.saveVerification(updated, expectedRevision: kept.revision)], audit: [AuditDraft(
            actor: principal.description, action: "verification.received", subject: "\(id)#\(sequence)", agreement: id,
            agencies: [agreement.terms.provider, agreement.terms.consumer],
            details: ["sequence": .integer(sequence), "requests": .integer(receipt.requests), "found": .integer(receipt.found),
                      "records_sm3": .string(receipt.answerRecordsSM3), "receipt_sm3": .string(signed.sm3)])], at: time)
        return ExchangeAPI.ReceiptOutcome(status: "recorded", sequence: sequence)
    }
}
