import Foundation
import GXDomain
import Testing

@Suite("Where an agreement's exchange stands the morning after")
struct ExchangeStatusTests {
    static let now = Timestamp.date(from: "2026-12-04T00:30:00Z")!  // 08:30 Beijing: tonight began 2026-12-03 04:00Z

    static func batch(_ sequence: Int64, acceptedAt: String) -> ExchangeAPI.BatchView {
        let manifest = BatchManifestTests.manifest(endsPass: true)
        var numbered = manifest
        numbered.sequence = sequence
        return ExchangeAPI.BatchView(manifest: numbered, manifestSM3: "", acceptedAt: acceptedAt, pruned: false, receipts: [],
                                     manifestBase64: "", signatureBase64: "")
    }

    static func receipt(_ sequence: Int64, appliedAt: String) -> BatchReceipt {
        BatchReceipt(agreementID: "BJ-GX-2026-004", consumer: "11110000000021063W", resourceCode: "RK-001", sequence: sequence,
                     recordsSM3: "", upsertsApplied: 1, deletesApplied: 0, appliedAt: appliedAt)
    }

    @Test("every batch receipted is acknowledged")
    func acknowledged() {
        let status = ExchangeStatus.of(batches: [Self.batch(1, acceptedAt: "2026-12-03T17:40:00.000Z")],
                                       receipts: [Self.receipt(1, appliedAt: "2026-12-03T17:45:00.000Z")], frequency: .daily, now: Self.now)
        #expect(status.status == .acknowledged)
        #expect(!status.status.isFailure)
    }

    @Test("tonight's pass after the consumer's last receipt: awaiting the consumer, not a failure")
    func awaitingConsumer() {
        let status = ExchangeStatus.of(batches: [Self.batch(1, acceptedAt: "2026-12-03T17:00:00.000Z"), Self.batch(2, acceptedAt: "2026-12-03T17:40:00.000Z")],
                                       receipts: [Self.receipt(1, appliedAt: "2026-12-03T17:30:00.000Z")], frequency: .daily, now: Self.now)
        #expect(status.status == .awaitingConsumer)
        #expect(status.pendingSince == "2026-12-03T17:40:00.000Z")
        #expect(!status.status.isFailure)
    }

    @Test("a receipt after the oldest unacknowledged batch arrived: the consumer ran and fell behind, a failure")
    func behind() {
        let status = ExchangeStatus.of(batches: [Self.batch(1, acceptedAt: "2026-12-03T17:00:00.000Z"), Self.batch(2, acceptedAt: "2026-12-03T17:01:00.000Z"),
                                                 Self.batch(3, acceptedAt: "2026-12-03T17:02:00.000Z")],
                                       receipts: [Self.receipt(1, appliedAt: "2026-12-03T17:30:00.000Z")], frequency: .daily, now: Self.now)
        #expect(status.status == .behind)
        #expect(status.status.isFailure)
    }

    @Test("a batch of an earlier night still unacknowledged is overdue, a failure")
    func overdue() {
        let status = ExchangeStatus.of(batches: [Self.batch(1, acceptedAt: "2026-12-02T17:40:00.000Z")], receipts: [], frequency: .daily, now: Self.now)
        #expect(status.status == .overdue)
        #expect(status.status.isFailure)
    }
}
