import Foundation
import GXDomain
import GXStorage
import GXTestSupport

/// Plants agreements, batches, deliveries and receipts straight into a store at chosen times, as the hub's
/// routes would commit them, so oversight tests control every night (signatures are not checked by stores).
struct ExchangePlanting {
    let store: any HubStore
    var sequences: [String: Int64] = [:]

    init(store: any HubStore) { self.store = store }

    /// A Beijing time on a day: `beijing(2026, 11, 2, 23, 50)`.
    static func beijing(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int = 0) -> Date {
        CalendarDate(year: year, month: month, day: day).startInChina.addingTimeInterval(TimeInterval(hour * 3600 + minute * 60))
    }

    /// The shipped agreement for `resource`, saved active as of `activatedAt` (its activation audited then).
    func activate(_ resource: String, at activatedAt: Date, frequency: UpdateCycle = .daily) async throws -> AgreementTerms {
        var terms = try SampleDocuments.agreementTerms().first { $0.resourceCode == resource }!
        terms.frequency = frequency
        var agreement = SharingAgreement(terms: terms)
        agreement.state = .active
        agreement.revision = 1
        try await store.commit([.saveAgreement(agreement, expectedRevision: nil)],
                               audit: [AuditDraft(actor: "admin:authority", action: "agreement.filed", subject: terms.id, agreement: terms.id,
                                                  agencies: [terms.provider, terms.consumer]),
                                       AuditDraft(actor: "admin:authority", action: "agreement.activated", subject: terms.id, agreement: terms.id,
                                                  agencies: [terms.provider, terms.consumer])],
                               at: activatedAt)
        return terms
    }

    /// A batch of `terms`' resource accepted at `time`, delivered under `terms` in the same commit.
    @discardableResult
    mutating func push(_ terms: AgreementTerms, at time: Date, upserts: Int64, deletes: Int64 = 0, quarantine: [QualityFinding] = [],
                       endsPass: Bool = true, deliveredTo others: [AgreementTerms] = []) async throws -> Int64 {
        let sequence = (sequences[terms.resourceCode] ?? 0) + 1
        sequences[terms.resourceCode] = sequence
        let digest = PayloadDigest(sm3: String(repeating: "0", count: 64), bytes: 0)
        let manifest = BatchManifest(provider: terms.provider, resourceCode: terms.resourceCode, schemaVersion: terms.schemaVersion,
                                     sequence: sequence, items: terms.items, changes: ChangeRange(mode: .snapshot, generation: sequence, full: false),
                                     counts: BatchCounts(upserts: upserts, deletes: deletes, quarantined: quarantine.reduce(0) { $0 + $1.count }),
                                     quarantine: quarantine, records: digest, wire: digest, createdAt: Timestamp.string(from: time),
                                     endsPass: endsPass ? true : nil)
        var changes: [HubChange] = [.acceptBatch(StoredBatch(manifest: manifest, manifestBase64: try Self.base64(manifest), signatureBase64: "",
                                                              manifestSM3: String(sequence), acceptedAt: Timestamp.string(from: time), payloadPath: nil))]
        for agreement in [terms] + others {
            let delivery = DeliveryManifest(agreementID: agreement.id, provider: agreement.provider, consumer: agreement.consumer,
                                            resourceCode: agreement.resourceCode, schemaVersion: agreement.schemaVersion, sequence: sequence,
                                            items: agreement.items, counts: BatchCounts(upserts: upserts, deletes: deletes), records: digest, wire: digest,
                                            providerManifestSM3: String(sequence), providerSignature: "", createdAt: Timestamp.string(from: time),
                                            endsPass: manifest.endsPass)
            changes.append(.recordDelivery(StoredDelivery(manifest: delivery, manifestBase64: try Self.base64(delivery), signatureBase64: "", payloadPath: nil)))
        }
        try await store.commit(changes, audit: [], at: time)
        return sequence
    }

    /// The consumer's receipt for batch `sequence`, received by the hub at `time`.
    func acknowledge(_ terms: AgreementTerms, _ sequence: Int64, at time: Date, upserts: Int64, deletes: Int64 = 0) async throws {
        let receipt = BatchReceipt(agreementID: terms.id, consumer: terms.consumer, resourceCode: terms.resourceCode, sequence: sequence,
                                   recordsSM3: String(repeating: "0", count: 64), upsertsApplied: upserts, deletesApplied: deletes,
                                   appliedAt: Timestamp.string(from: time))
        try await store.commit([.recordReceipt(StoredReceipt(receipt: receipt, receiptBase64: try Self.base64(receipt), signatureBase64: "",
                                                             receivedAt: Timestamp.string(from: time)))], audit: [], at: time)
    }

    static func base64(_ value: some Encodable) throws -> String { try JSONEncoder().encode(value).base64EncodedString() }
}
