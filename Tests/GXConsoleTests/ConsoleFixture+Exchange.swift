import Foundation
import GXDomain
import GXStorage

/// Batches, deliveries and receipts of the fixture's active agreement planted straight into the store at
/// chosen times, as the hub's routes would commit them (stores do not check signatures), so a page's
/// figures are known to the test.
extension ConsoleFixture {
    /// A Beijing time on a day: `beijing(2026, 11, 2, 22)`.
    static func beijing(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int = 0) -> Date {
        CalendarDate(year: year, month: month, day: day).startInChina.addingTimeInterval(TimeInterval(hour * 3600 + minute * 60))
    }

    func activeTerms() async throws -> AgreementTerms {
        try await store.agreement(id: Self.activeAgreement)!.terms
    }

    /// Batch `sequence` of the active agreement's resource, accepted at `time` and delivered to its consumer;
    /// with `receivedAfter`, the consumer's receipt reaches the hub that long after acceptance.
    func plantBatch(_ sequence: Int64, at time: Date, upserts: Int64, quarantine: [QualityFinding] = [], endsPass: Bool = true,
                    receivedAfter lag: TimeInterval? = nil) async throws {
        let terms = try await activeTerms()
        let digest = PayloadDigest(sm3: String(repeating: "0", count: 64), bytes: 0)
        let manifest = BatchManifest(provider: terms.provider, resourceCode: terms.resourceCode, schemaVersion: terms.schemaVersion,
                                     sequence: sequence, items: terms.items, changes: ChangeRange(mode: .snapshot, generation: sequence, full: false),
                                     counts: BatchCounts(upserts: upserts, deletes: 0, quarantined: quarantine.reduce(0) { $0 + $1.count }),
                                     quarantine: quarantine, records: digest, wire: digest, createdAt: Timestamp.string(from: time),
                                     endsPass: endsPass)
        let delivery = DeliveryManifest(agreementID: terms.id, provider: terms.provider, consumer: terms.consumer,
                                        resourceCode: terms.resourceCode, schemaVersion: terms.schemaVersion, sequence: sequence,
                                        items: terms.items, counts: BatchCounts(upserts: upserts, deletes: 0), records: digest, wire: digest,
                                        providerManifestSM3: String(sequence), providerSignature: "", createdAt: Timestamp.string(from: time),
                                        endsPass: manifest.endsPass)
        try await store.commit([
            .acceptBatch(StoredBatch(manifest: manifest, manifestBase64: try Self.base64(manifest), signatureBase64: "",
                                     manifestSM3: String(sequence), acceptedAt: Timestamp.string(from: time), payloadPath: nil)),
            .recordDelivery(StoredDelivery(manifest: delivery, manifestBase64: try Self.base64(delivery), signatureBase64: "", payloadPath: nil)),
        ], audit: [], at: time)
        guard let lag else { return }
        let received = time.addingTimeInterval(lag)
        let receipt = BatchReceipt(agreementID: terms.id, consumer: terms.consumer, resourceCode: terms.resourceCode, sequence: sequence,
                                   recordsSM3: digest.sm3, upsertsApplied: upserts, deletesApplied: 0, appliedAt: Timestamp.string(from: received))
        try await store.commit([.recordReceipt(StoredReceipt(receipt: receipt, receiptBase64: try Self.base64(receipt), signatureBase64: "",
                                                             receivedAt: Timestamp.string(from: received)))], audit: [], at: received)
    }

    static func base64(_ value: some Encodable) throws -> String { try JSONEncoder().encode(value).base64EncodedString() }
}
