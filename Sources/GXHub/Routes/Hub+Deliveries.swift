import Foundation
import GXCrypto
import GXDomain
import GXStorage
import Hummingbird
import HTTPTypes
import ServiceLifecycle

extension Hub {
    /// The longest a pull may wait for a batch (`wait=`), in seconds.
    static let maximumWait = 30.0

    func addDeliveryRoutes(to router: Router<HubRequestContext>) {
        // What a consumer may pull next under an agreement. With `wait=S` (at most 30), an answer that would
        // be empty waits up to S seconds for a batch to arrive: a following consumer hears of it at once. A hub
        // shutting down answers at once, so SIGTERM does not wait for long polls.
        router.on(.get, "/v1/agreements/:id/batches", allow: [.agency]) { request, context, principal in
            let parameters = QueryParameters(request, context)
            let after = try parameters.integer("after", in: 0...Int64.max, default: 0)
            let wait = try parameters.seconds("wait", in: 0...Self.maximumWait, default: 0)
            let agreement = try await entitledAgreement(try parameters.path("id"), for: principal)
            let resource = agreement.terms.resourceCode
            // Woken when a batch of the resource is accepted (here or, on PostgreSQL, by another hub process);
            // the store is asked again only then, or every fallback interval.
            var mark = arrivals.mark(resource)
            var batches = try await store.batches(resourceCode: resource, after: after, limit: 1000)
            let deadline = ContinuousClock.now + .seconds(wait)
            while batches.isEmpty, ContinuousClock.now < deadline, !Task.isShuttingDownGracefully {
                let since = mark
                // A hub shutting down ends the wait at once, so SIGTERM does not wait for long polls.
                await cancelWhenGracefulShutdown { await arrivals.wait(for: resource, since: since, until: deadline) }
                try Task.checkCancellation()
                mark = arrivals.mark(resource)
                if try await store.lastBatchSequence(resourceCode: resource) > after {
                    batches = try await store.batches(resourceCode: resource, after: after, limit: 1000)
                }
            }
            var available: [ExchangeAPI.AvailableBatch] = []
            for batch in batches {
                var listed = ExchangeAPI.AvailableBatch(sequence: batch.manifest.sequence, upserts: batch.manifest.counts.upserts,
                                                        deletes: batch.manifest.counts.deletes, available: batch.payloadPath != nil,
                                                        endsPass: batch.manifest.endsPass, acceptedAt: batch.acceptedAt)
                // A batch without records (a pass that changed nothing ends with one) travels as its signed
                // delivery manifest alone: the consumer acknowledges it without downloading a payload.
                if batch.manifest.counts.records == 0, let delivery = try? await delivery(of: agreement, sequence: batch.manifest.sequence) {
                    listed.manifestBase64 = delivery.manifestBase64
                    listed.signatureBase64 = delivery.signatureBase64
                    listed.providerManifestBase64 = batch.manifestBase64
                }
                available.append(listed)
            }
            let acknowledged = try await store.acknowledgedSequence(agreementID: agreement.id)
            return try JSONResponse.make(ExchangeAPI.DeliveryList(acknowledged: acknowledged, batches: available))
        }

        // One batch as this consumer may see it: only the agreed items, with the hub's signed manifest.
        router.on(.get, "/v1/agreements/:id/batches/:seq", allow: [.agency]) { request, context, principal in
            let parameters = QueryParameters(request, context)
            let sequence = try parameters.sequence("seq")
            let agreement = try await entitledAgreement(try parameters.path("id"), for: principal)
            let delivery = try await delivery(of: agreement, sequence: sequence)
            guard let path = delivery.payloadPath else {
                throw HubAPIError(.gone, "batch \(agreement.terms.resourceCode)#\(sequence) was pruned after every consumer acknowledged it")
            }
            // A file that lost or gained bytes on the hub's disk, or whose seal does not hold, would hand the
            // consumer what its manifest does not promise: refuse it here, naming it.
            // The provider's signed manifest goes with it: the consumer checks the provider's signature too.
            guard let batch = try await store.batch(resourceCode: agreement.terms.resourceCode, sequence: sequence) else {
                throw StoreError.notFound(what: "batch \(agreement.terms.resourceCode)#\(sequence)")
            }
            let reader = try await openPayload(path, expecting: delivery.manifest.wire.bytes, what: "delivery \(agreement.id)#\(sequence)")
            var headers = HTTPFields()
            headers[.contentType] = "application/octet-stream"
            headers[BatchHeader.manifest] = delivery.manifestBase64
            headers[BatchHeader.signature] = delivery.signatureBase64
            headers[BatchHeader.providerManifest] = batch.manifestBase64
            headers[BatchHeader.acceptedAt] = batch.acceptedAt
            headers[.contentLength] = String(delivery.manifest.wire.bytes)
            return Response(status: .ok, headers: headers, body: payloadBody(reader))
        }

        // The consumer's signed receipt after applying a batch.
        router.on(.post, "/v1/agreements/:id/batches/:seq/receipt", allow: [.agency]) { request, context, principal in
            let parameters = QueryParameters(request, context)
            let id = try parameters.path("id")
            let sequence = try parameters.sequence("seq")
            let body = try await request.decodeBody(ExchangeAPI.SignedReceipt.self, context: context)
            let outcome = try await recordReceipt(id, sequence: sequence, body, by: principal)
            return try JSONResponse.make(outcome, status: outcome.status == "recorded" ? .created : .ok)
        }
    }

    /// The agreement, if `principal` is its consumer and it permits exchange today; otherwise a refusal
    /// that is also audited.
    func entitledAgreement(_ id: String, for principal: Principal) async throws -> SharingAgreement {
        guard let agreement = try await store.agreement(id: id) else { throw StoreError.notFound(what: "agreement \(id)") }
        let today = Timestamp.beijingDay(of: now())
        let refusal: HubAPIError? = if principal.id != agreement.terms.consumer {
            HubAPIError.forbidden(principal, "pull under agreement \(id): its consumer is \(agreement.terms.consumer)")
        } else if !agreement.terms.method.deliversBatches {
            // 比对核实: the consumer checks its own records; the register never flows to it.
            HubAPIError(.forbidden, "agreement \(id) is a verification agreement: its consumer checks records, it receives no batches")
        } else if !agreement.permitsExchange(on: today) {
            HubAPIError(.forbidden, "agreement \(id) is \(agreement.state.rawValue), valid \(agreement.terms.validFrom)…\(agreement.terms.validUntil): nothing may be pulled under it")
        } else {
            nil
        }
        if let refusal {
            // Filed under the caller (authenticated), within its allowance of refusal entries.
            try await auditRefusal(AuditDraft(actor: principal.description, action: "delivery.refused", subject: id, agreement: id,
                                              agencies: [principal.id], details: ["reason": .string(RefusalAuditing.excerpt(refusal.message))]),
                                   by: principal)
            throw refusal
        }
        return agreement
    }

    /// The projection of a batch for an agreement, prepared on first pull and kept until pruned.
    func delivery(of agreement: SharingAgreement, sequence: Int64) async throws -> StoredDelivery {
        if let kept = try await store.delivery(agreementID: agreement.id, sequence: sequence) { return kept }
        let resource = agreement.terms.resourceCode
        guard let batch = try await store.batch(resourceCode: resource, sequence: sequence) else {
            throw StoreError.notFound(what: "batch \(resource)#\(sequence)")
        }
        guard let source = batch.payloadPath else {
            throw HubAPIError(.gone, "batch \(resource)#\(sequence) was pruned")
        }
        guard let entry = try await store.catalogueEntry(resourceCode: resource, schemaVersion: batch.manifest.schemaVersion) else {
            throw StoreError.notFound(what: "resource \(resource) version \(batch.manifest.schemaVersion)")
        }
        // Field-level minimisation: only agreed items, in the catalogue's order.
        guard let slot = await projectionBudget.acquire(1).first else { throw CancellationError() }
        let projection = try DeliveryProjection(agreement: agreement, schema: entry, batchItems: batch.manifest.items, sequence: sequence,
                                                file: try await createPayload(served: true), slot: slot)
        do {
            let input = try await openPayload(source, expecting: nil, what: "payload of batch \(resource)#\(sequence)")
            defer { input.close() }
            let decoder = try BatchPayloadDecoder(valueCount: batch.manifest.items.count, maximumRecordBytes: Int(batch.manifest.records.bytes))
            while true {
                let chunk = try await input.read(upTo: 256 * 1024)
                if chunk.isEmpty { break }
                try decoder.consume(chunk) { record, _ in try projection.append(record) }
                try await projection.flush()
            }
            // The kept payload must still be what its provider signed before the hub signs a view of it.
            let digests = try decoder.finish()
            guard digests.records == batch.manifest.records, digests.wire == batch.manifest.wire else {
                throw HubAPIError(.internalServerError, "the kept payload of batch \(resource)#\(sequence) no longer matches its manifest's SM3")
            }
            return try await keep(projection, of: batch.manifest, manifestSM3: batch.manifestSM3, signatureBase64: batch.signatureBase64)
        } catch {
            projection.discard()
            throw error
        }
    }

    /// Files a finished projection as the agreement's delivery of the batch and records it. If another hub
    /// process filed one first, that one is kept and served.
    func keep(_ projection: DeliveryProjection, of batch: BatchManifest, manifestSM3: String, signatureBase64: String) async throws -> StoredDelivery {
        let (filed, keeping) = try await fileDelivery(projection, of: batch, manifestSM3: manifestSM3, signatureBase64: signatureBase64)
        do {
            try await store.commit([.recordDelivery(filed)] + keeping, audit: [], at: now())
        } catch {
            await payloads.forget(projection.upload, keptAs: filed.payloadPath)
            throw error
        }
        // Another hub process may have prepared it first: serve whichever was kept.
        guard let kept = try await store.delivery(agreementID: projection.agreement.id, sequence: projection.sequence) else {
            throw StoreError.notFound(what: "delivery \(projection.agreement.id)#\(projection.sequence)")
        }
        if kept.payloadPath != filed.payloadPath, let ours = filed.payloadPath { await payloads.delete([ours]) }
        return kept
    }

    /// Finishes a projection, names its payload and signs its delivery manifest: the delivery, ready to be
    /// recorded with the changes that keep its payload (`PayloadStore.keeping`).
    func fileDelivery(_ projection: DeliveryProjection, of batch: BatchManifest, manifestSM3: String, signatureBase64: String) async throws -> (StoredDelivery, [HubChange]) {
        let (counts, records, wire) = try await projection.finish()
        let agreement = projection.agreement
        let relative = try deliveryPath(resource: batch.resourceCode, agreementID: agreement.id, sequence: projection.sequence)
        let keeping = try await payloads.keeping(projection.upload, as: relative)
        var manifest = DeliveryManifest(agreementID: agreement.id, provider: agreement.terms.provider, consumer: agreement.terms.consumer,
                                        resourceCode: batch.resourceCode, schemaVersion: batch.schemaVersion, sequence: projection.sequence,
                                        items: projection.items, counts: counts, records: records, wire: wire,
                                        providerManifestSM3: manifestSM3, providerSignature: signatureBase64,
                                        createdAt: Timestamp.string(from: now()), endsPass: batch.endsPass)
        manifest.masks = agreement.terms.maskDeclarations
        do {
            let signed = try SignedDocument(signing: manifest, with: key)
            return (StoredDelivery(manifest: manifest, manifestBase64: signed.base64Content, signatureBase64: signed.base64Signature, payloadPath: relative),
                    keeping)
        } catch {
            await payloads.forget(projection.upload, keptAs: relative)
            throw error
        }
    }

    func recordReceipt(_ id: String, sequence: Int64, _ body: ExchangeAPI.SignedReceipt, by principal: Principal) async throws -> ExchangeAPI.ReceiptOutcome {
        guard let agreement = try await store.agreement(id: id) else { throw StoreError.notFound(what: "agreement \(id)") }
        guard principal.id == agreement.terms.consumer else {
            throw HubAPIError.forbidden(principal, "acknowledge batches of agreement \(id): its consumer is \(agreement.terms.consumer)")
        }
        let signed = try SignedDocument<BatchReceipt>(base64Content: body.receipt, base64Signature: body.signature, field: "receipt")
        let receipt = signed.content
        guard receipt.agreementID == id, receipt.sequence == sequence, receipt.consumer == principal.id,
              receipt.resourceCode == agreement.terms.resourceCode else {
            throw HubAPIError(.badRequest, "the receipt is for \(receipt.agreementID)#\(receipt.sequence) by \(receipt.consumer)", field: "receipt")
        }
        guard let consumer = try await store.agency(code: principal.id), signed.isSigned(by: try consumer.unrevokedKey(at: Timestamp.string(from: now()))) else {
            throw HubAPIError(.unprocessableContent, "the receipt signature does not verify with \(principal.id)'s registered key", field: "signature")
        }
        guard let delivery = try await store.delivery(agreementID: id, sequence: sequence) else {
            throw HubAPIError(.conflict, "batch \(sequence) was never delivered under \(id)", field: "sequence")
        }
        guard receipt.recordsSM3 == delivery.manifest.records.sm3 else {
            throw HubAPIError(.unprocessableContent, "the receipt's records SM3 differs from what was delivered", field: "receipt.records_sm3")
        }
        if let kept = try await store.receipt(agreementID: id, sequence: sequence) {
            // The same batch applied again (a rebuilt sink, a lost answer) proves nothing new; only the time differs.
            var again = receipt
            again.appliedAt = kept.receipt.appliedAt
            guard again == kept.receipt else {
                throw HubAPIError(.conflict, "a different receipt for \(id)#\(sequence) is already recorded")
            }
            return ExchangeAPI.ReceiptOutcome(status: "already recorded", sequence: sequence)
        }
        let time = now()
        try await store.commit([.recordReceipt(StoredReceipt(receipt: receipt, receiptBase64: signed.base64Content,
                                                             signatureBase64: signed.base64Signature, receivedAt: Timestamp.string(from: time)))],
                               audit: [AuditDraft(actor: principal.description, action: "batch.received",
                                                  subject: "\(receipt.resourceCode)#\(sequence)", agreement: id,
                                                  agencies: [agreement.terms.provider, agreement.terms.consumer],
                                                  details: ["sequence": .integer(sequence), "records_sm3": .string(receipt.recordsSM3),
                                                            "upserts": .integer(receipt.upsertsApplied), "deletes": .integer(receipt.deletesApplied),
                                                            "receipt_sm3": .string(signed.sm3)])],
                               at: time)
        return ExchangeAPI.ReceiptOutcome(status: "recorded", sequence: sequence)
    }
}
