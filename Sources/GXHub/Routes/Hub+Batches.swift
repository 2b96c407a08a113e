import Foundation
import GXCrypto
import GXDomain
import GXStorage
import Hummingbird
import HTTPTypes

/// Header names of the batch protocol: manifests travel as base64 canonical JSON beside the payload.
enum BatchHeader {
    static let manifest = HTTPField.Name(ExchangeAPI.manifestHeader)!
    static let signature = HTTPField.Name(ExchangeAPI.signatureHeader)!
    static let providerManifest = HTTPField.Name(ExchangeAPI.providerManifestHeader)!
    static let acceptedAt = HTTPField.Name(ExchangeAPI.acceptedAtHeader)!
}

extension Hub {
    func addBatchRoutes(to router: Router<HubRequestContext>) {
        // A provider pushes one batch: signed manifest in headers, deflated canonical records as the body.
        router.on(.post, "/v1/resources/:code/batches", allow: [.agency]) { request, context, principal in
            let code = try QueryParameters(request, context).path("code")
            let outcome = try await acceptBatch(resourceCode: code, request: request, by: principal)
            return try JSONResponse.make(outcome, status: outcome.status == "accepted" ? .created : .ok)
        }

        // Batches of a resource with their receipts: the provider sees who applied what.
        router.on(.get, "/v1/resources/:code/batches", allow: [.admin, .auditor, .agency]) { request, context, principal in
            let parameters = QueryParameters(request, context)
            let code = try parameters.path("code")
            let after = try parameters.integer("after", in: 0...Int64.max, default: 0)
            guard let entry = try await store.catalogueEntry(resourceCode: code, schemaVersion: nil) else {
                throw StoreError.notFound(what: "resource \(code)")
            }
            if case let .agency(agency) = principal, agency != entry.provider {
                throw HubAPIError.forbidden(principal, "list the batches of \(code): only its provider may")
            }
            let batches = try await store.batches(resourceCode: code, after: after, limit: 1000)
            let receipts = try await store.receipts(resourceCode: code, sequence: nil)
            let byBatch = Dictionary(grouping: receipts, by: \.receipt.sequence)
            let views = batches.map { batch in
                ExchangeAPI.BatchView(manifest: batch.manifest, manifestSM3: batch.manifestSM3, acceptedAt: batch.acceptedAt,
                                      pruned: batch.payloadPath == nil, receipts: (byBatch[batch.manifest.sequence] ?? []).map(\.receipt),
                                      manifestBase64: batch.manifestBase64, signatureBase64: batch.signatureBase64)
            }
            let last = try await store.lastBatchSequence(resourceCode: code)
            return try JSONResponse.make(ExchangeAPI.BatchList(lastSequence: last, batches: views))
        }
    }

    /// Checks a pushed batch completely — provider, sequence, signature, every record against the catalogue,
    /// counts and digests — streaming it to a provisional payload; only then keeps it, in one transaction with
    /// its audit entry. Anything else is refused, audited, and leaves nothing behind.
    func acceptBatch(resourceCode: String, request: Request, by principal: Principal) async throws -> ExchangeAPI.BatchOutcome {
        try checkedResourceCode(resourceCode)
        guard let manifestHeader = request.headers[BatchHeader.manifest], let signatureHeader = request.headers[BatchHeader.signature] else {
            throw HubAPIError(.badRequest, "a batch needs the X-GX-Manifest and X-GX-Signature headers", field: "manifest")
        }
        let signed = try SignedDocument<BatchManifest>(base64Content: manifestHeader, base64Signature: signatureHeader, field: "manifest")
        let manifest = signed.content
        let subject = "\(resourceCode)#\(manifest.sequence)"
        // Until the signature verifies with the caller's key, as the resource's provider, the manifest is a claim.
        var manifestVerified = false
        do {
            guard let entry = try await store.catalogueEntry(resourceCode: resourceCode, schemaVersion: nil) else {
                throw StoreError.notFound(what: "resource \(resourceCode)")
            }
            guard manifest.resourceCode == resourceCode else {
                throw HubAPIError(.badRequest, "the manifest is for \(manifest.resourceCode), pushed to \(resourceCode)", field: "manifest.resource")
            }
            guard principal.id == entry.provider, manifest.provider == principal.id else {
                throw HubAPIError.forbidden(principal, "push batches of \(resourceCode): its provider is \(entry.provider)")
            }
            guard let provider = try await store.agency(code: principal.id) else { throw StoreError.notFound(what: "agency \(principal.id)") }
            // A key revoked as compromised signs nothing from its revocation time on.
            guard signed.isSigned(by: try provider.unrevokedKey(at: Timestamp.string(from: now()))) else {
                throw HubAPIError(.unprocessableContent, "the manifest signature does not verify with \(provider.code)'s registered key", field: "signature")
            }
            manifestVerified = true
            let last = try await store.lastBatchSequence(resourceCode: resourceCode)
            if manifest.sequence <= last, let kept = try await store.batch(resourceCode: resourceCode, sequence: manifest.sequence) {
                guard kept.manifestSM3 == signed.sm3 else {
                    throw HubAPIError(.conflict, "batch \(subject) was already accepted with another manifest; the next sequence is \(last + 1)", field: "manifest.sequence")
                }
                // An idempotent resend (e.g. the answer was lost): drain and confirm.
                for try await _ in request.body {}
                return ExchangeAPI.BatchOutcome(status: "already accepted", sequence: manifest.sequence, manifestSM3: kept.manifestSM3)
            }
            guard manifest.sequence == last + 1 else {
                throw HubAPIError(.conflict, "expected sequence \(last + 1) for \(resourceCode), got \(manifest.sequence)", field: "manifest.sequence")
            }
            guard manifest.schemaVersion == entry.schemaVersion,
                  let schema = try await store.catalogueEntry(resourceCode: resourceCode, schemaVersion: manifest.schemaVersion) else {
                throw HubAPIError(.badRequest, "schema version \(manifest.schemaVersion) is not the published \(entry.schemaVersion)", field: "manifest.schema_version")
            }
            let validator = try RecordValidator(entry: schema, items: manifest.items)
            // Confirmed objections are closed by the batch that carries their key, in the batch's transaction.
            let corrections = try await ObjectionWorkflow.awaitingCorrection(resource: resourceCode, provider: principal.id, store: store)
            let projections = await deliveryProjections(of: manifest, schema: schema)
            let upload: String, prepared: [DeliveryProjection], carried: Set<String>
            do {
                (upload, prepared, carried) = try await receivePayload(request.body, manifest: manifest, validator: validator, projections: projections,
                                                                     watching: Set(corrections.keys))
            } catch {
                for projection in projections { projection.discard() }
                throw error
            }
            var projectionsFiled = false
            defer { if !projectionsFiled { for projection in prepared { projection.discard() } } }
            let relative: String, keeping: [HubChange]
            do {
                relative = try batchPath(resource: resourceCode, sequence: manifest.sequence, manifestSM3: signed.sm3)
                // Files are renamed now (atomically, so an identical resend racing through another hub process never
                // leaves the accepted batch's file missing); the database renames in the acceptance transaction.
                keeping = try await payloads.keeping(upload, as: relative)
            } catch {
                await payloads.forget(upload, keptAs: nil)
                throw error
            }
            // The prepared deliveries are kept in the same transaction as the batch, so a consumer never sees the
            // batch listed before its delivery is ready (and never projects it a second time).
            projectionsFiled = true
            var deliveries: [(delivery: StoredDelivery, upload: String, keeping: [HubChange])] = []
            for projection in prepared {
                do {
                    let (delivery, keeping) = try await fileDelivery(projection, of: manifest, manifestSM3: signed.sm3, signatureBase64: signed.base64Signature)
                    deliveries.append((delivery, projection.upload, keeping))
                } catch {
                    projection.discard()
                    logger.warning("delivery \(projection.agreement.id)#\(manifest.sequence) not prepared; it is projected on first pull: \(error)")
                }
            }
            func removeDeliveries() async {
                for filed in deliveries { await payloads.forget(filed.upload, keptAs: filed.delivery.payloadPath) }
            }
            let time = now()
            let stored = StoredBatch(manifest: manifest, manifestBase64: signed.base64Content, signatureBase64: signed.base64Signature,
                                     manifestSM3: signed.sm3, acceptedAt: Timestamp.string(from: time), payloadPath: relative)
            let closing = try ObjectionWorkflow.closings(carried.sorted().flatMap { corrections[$0] ?? [] }, by: subject, at: time)
            do {
                try await store.commit([.acceptBatch(stored)] + keeping + deliveries.flatMap { [.recordDelivery($0.delivery)] + $0.keeping } + closing.changes, audit: [batchAudit(manifest, "batch.accepted", by: principal, details: [
                    "manifest_sm3": .string(signed.sm3), "records_sm3": .string(manifest.records.sm3), "wire_sm3": .string(manifest.wire.sm3),
                    "upserts": .integer(manifest.counts.upserts), "deletes": .integer(manifest.counts.deletes),
                    "quarantined": .integer(manifest.counts.quarantined),
                ])] + closing.audit, at: time)
            } catch StoreError.duplicate {
                // The same sequence was accepted meanwhile, through another hub process: an identical batch is an
                // idempotent resend (its payload is the same bytes, under the same name); another one is refused.
                await removeDeliveries()
                let kept = try await store.batch(resourceCode: resourceCode, sequence: manifest.sequence)
                if kept?.manifestSM3 == signed.sm3 {
                    await payloads.forget(upload, keptAs: nil)
                    return ExchangeAPI.BatchOutcome(status: "already accepted", sequence: manifest.sequence, manifestSM3: signed.sm3)
                }
                await payloads.forget(upload, keptAs: relative)
                throw HubAPIError(.conflict, "batch \(subject) was accepted meanwhile with another manifest", field: "manifest.sequence")
            } catch {
                await removeDeliveries()
                await payloads.forget(upload, keptAs: relative)
                throw error
            }
            arrivals.announce(resourceCode)
            logger.info("accepted batch \(subject) from \(principal.id): \(manifest.counts.upserts) upserts, \(manifest.counts.deletes) deletes")
            metrics.batchAccepted(resource: resourceCode, records: manifest.counts.upserts + manifest.counts.deletes, wireBytes: manifest.wire.bytes)
            return ExchangeAPI.BatchOutcome(status: "accepted", sequence: manifest.sequence, manifestSM3: signed.sm3)
        } catch {
            let refusal = HubAPIError.from(error)
            let reason = RefusalAuditing.excerpt(refusal?.message ?? "\(error)")
            metrics.batchRefused(reason: refusal.map { $0.field ?? String($0.status.code) } ?? "500")
            try? await auditRefusal(refusedBatchAudit(resourceCode: resourceCode, manifest, verified: manifestVerified, by: principal, reason: reason),
                                    by: principal)
            logger.notice("refused batch \(RefusalAuditing.excerpt(subject, limit: 80)) from \(principal.id): \(reason)")
            throw error
        }
    }

    /// A projection for each agreement that may pull the resource today, written while the batch is received
    /// so it is decoded once. Only an optimisation: if preparing fails, deliveries are projected on first pull.
    func deliveryProjections(of manifest: BatchManifest, schema: CatalogueEntry) async -> [DeliveryProjection] {
        var projections: [DeliveryProjection] = []
        do {
            let today = Timestamp.beijingDay(of: now())
            let agreements = try await store.agreements(matching: AgreementQuery(resourceCode: manifest.resourceCode, state: .active))
                .filter { $0.permitsExchange(on: today) && $0.terms.method.deliversBatches }
            // Waits for the hub's projection budget; consumers beyond all of it are projected on first pull.
            let slots = await projectionBudget.acquire(agreements.count)
            for (agreement, slot) in zip(agreements, slots) {
                projections.append(try DeliveryProjection(agreement: agreement, schema: schema, batchItems: manifest.items, sequence: manifest.sequence,
                                                          file: try await createPayload(served: true),
                                                          slot: slot))
            }
            if slots.count < agreements.count {
                logger.info("\(agreements.count - slots.count) deliveries of \(manifest.resourceCode)#\(manifest.sequence) are projected on first pull: more consumers than the hub projects at once")
            }
            return projections
        } catch {
            for projection in projections { projection.discard() }
            logger.warning("deliveries of \(manifest.resourceCode)#\(manifest.sequence) are projected on first pull: \(error)")
            return []
        }
    }

    /// Streams the body to a provisional payload while checking it, and feeds each record to the projections;
    /// returns the payload's provisional name, the projections that did not fail, and which of the `watching` key texts (see
    /// `Objection.keyText`) the records carried, once everything matched. The projections
    /// run on a task of their own, a chunk of records behind the checks, so a batch is received in about
    /// the time of the slower of the two.
    func receivePayload(_ body: RequestBody, manifest: BatchManifest, validator: RecordValidator,
                        projections: [DeliveryProjection], watching: Set<String> = []) async throws -> (String, [DeliveryProjection], Set<String>) {
        let output = try await createPayload(behind: true)
        var complete = false
        defer { if !complete { output.abandon() } }
        let projector = ProjectionFeed(projections, sequence: manifest.sequence, logger: logger)
        var carried = Set<String>()
        do {
            // Inflated a piece ahead on a task of its own while this one checks the piece before.
            let inflation = try PayloadInflation(maximumRecordBytes: Int(min(limits.maximumRecordBytes, manifest.records.bytes)))
            let ahead = InflationAhead(inflation)
            let lines = CanonicalLineReader(valueCount: manifest.items.count)
            func checkLines(of inflated: [UInt8]?) throws {
                guard let inflated else { return }
                try lines.consumeLines(inflated) { line, position in
                    if let violation = validator.violation(in: line) {
                        throw InvalidInput(field: "records", reason: "record \(position): \(violation)")
                    }
                    if !watching.isEmpty {
                        let key = Objection.keyText(validator.keyIndices.map { line.value($0) ?? "" })
                        if watching.contains(key) { carried.insert(key) }
                    }
                    projector.add(line)
                }
            }
            var received: Int64 = 0
            for try await buffer in body {
                received += Int64(buffer.readableBytes)
                guard received <= limits.maximumWireBytes, received <= manifest.wire.bytes else {
                    throw HubAPIError(.contentTooLarge, "the payload is larger than the manifest's \(manifest.wire.bytes) bytes or the hub's limit")
                }
                let bytes = buffer.readableBytesView
                try await ahead.feed(bytes) { try checkLines(of: $0) }
                try await output.write(bytes)
                CrashPoint.reached("hub.receiving")
                try await projector.keepUp()
            }
            try checkLines(of: try await ahead.finish())
            let digests = try inflation.finish()
            try lines.finish()
            try check(digests.wire, against: manifest.wire, "wire")
            try check(digests.records, against: manifest.records, "records")
            guard lines.counts.upserts == manifest.counts.upserts, lines.counts.deletes == manifest.counts.deletes else {
                throw HubAPIError(.unprocessableContent, "the payload holds \(lines.counts.upserts) upserts and \(lines.counts.deletes) deletes, the manifest says \(manifest.counts.upserts) and \(manifest.counts.deletes)", field: "manifest.counts")
            }
            try await output.finish()
        } catch {
            await projector.abandon()
            throw error
        }
        let projected = await projector.finish()
        complete = true
        return (output.name, projected, carried)
    }

    func check(_ actual: PayloadDigest, against declared: PayloadDigest, _ name: String) throws {
        guard actual == declared else {
            throw HubAPIError(.unprocessableContent, "the \(name) SM3/size is \(actual.sm3)/\(actual.bytes), the manifest says \(declared.sm3)/\(declared.bytes)", field: "manifest.\(name)")
        }
    }

    /// A refusal is filed under the caller, who was authenticated, not under the provider a manifest names; its
    /// subject is the resource the caller pushed to, and the sequence only once the manifest verified as theirs.
    func refusedBatchAudit(resourceCode: String, _ manifest: BatchManifest, verified: Bool, by principal: Principal, reason: String) -> AuditDraft {
        let resource = RefusalAuditing.excerpt(resourceCode, limit: 64)
        var details: [String: CanonicalJSON] = ["reason": .string(reason)]
        details[verified ? "sequence" : "claimed_sequence"] = .integer(manifest.sequence)
        return AuditDraft(actor: principal.description, action: "batch.refused", subject: verified ? "\(resource)#\(manifest.sequence)" : resource,
                          agencies: [principal.id], details: details)
    }

    func batchAudit(_ manifest: BatchManifest, _ action: String, by principal: Principal, details: [String: CanonicalJSON]) -> AuditDraft {
        var details = details
        details["sequence"] = .integer(manifest.sequence)
        return AuditDraft(actor: principal.description, action: action, subject: "\(manifest.resourceCode)#\(manifest.sequence)",
                          agencies: [manifest.provider], details: details)
    }
}
