import Foundation
import GXCrypto
import GXDomain
import GXStorage

/// One agreement's view of a batch as it is written: only the agreed items, in the catalogue's order,
/// re-encoded and deflated into a payload under a provisional name until `Hub.keep` files it. Items the
/// agreement masks are masked here, so the clear value is never written to a delivery.
///
/// The hub writes it while a pushed batch is received, so each batch is decoded once and its deliveries
/// are ready before consumers ask; a batch that arrived before its agreement is projected on first pull.
final class DeliveryProjection {
    let agreement: SharingAgreement
    let sequence: Int64
    let items: [String]
    /// The payload's provisional name, for `PayloadStore.keeping`.
    var upload: String { output.name }
    /// For each delivered item, its position among the batch's items (nil when the batch lacks it).
    let indices: [Int?]
    /// For each delivered item, the agreement's mask for it; nil when the agreement masks nothing.
    let masks: [ItemMask?]?
    private let encoder: BatchPayloadEncoder
    private let output: any PayloadWriter
    private var projected: [String?]
    /// Its share of the hub's projection budget, given back with the projection.
    private let slot: ProjectionSlot
    /// Lines gathered before deflating, the deflater's output room, and compressed bytes kept before writing them: a
    /// push with forty consumers writes forty projections at once.
    static let buffer = 32 * 1024

    /// `batchItems` are the items of the batch's records, in their order; `file` is a new payload
    /// (`Hub.createPayload`), sealed when the hub seals payloads.
    init(agreement: SharingAgreement, schema: CatalogueEntry, batchItems: [String], sequence: Int64, file: any PayloadWriter, slot: ProjectionSlot) throws {
        self.slot = slot
        self.agreement = agreement
        self.sequence = sequence
        let agreed = Set(agreement.terms.items)
        items = schema.items.map(\.name).filter(agreed.contains)
        indices = items.map { batchItems.firstIndex(of: $0) }
        let agreedMasks = agreement.terms.masks ?? [:]
        masks = agreedMasks.isEmpty ? nil : items.map { agreedMasks[$0] }
        projected = [String?](repeating: nil, count: items.count)
        output = file
        do {
            encoder = try BatchPayloadEncoder(buffer: Self.buffer)
        } catch {
            file.abandon()
            throw error
        }
    }

    /// Adds a record of the batch (values in the batch's item order), keeping only the agreed values; `flush`
    /// writes what it deflated to.
    func append(_ record: CanonicalRecord) throws {
        for (position, index) in indices.enumerated() {
            let value = index.map { record.values[$0] } ?? nil
            projected[position] = if let value, let mask = masks?[position] { mask.apply(to: value) } else { value }
        }
        try encoder.append(CanonicalRecord(operation: record.operation, values: projected))
    }

    /// Writes the deflated bytes gathered, once there are enough of them.
    func flush() async throws {
        if encoder.pendingWireBytes >= Self.buffer { try await output.write(encoder.takeWire()) }
    }

    /// Adds lines that `CanonicalRecordLine.write(projecting:into:)` cut to this projection's `indices` (and
    /// masked with its `masks`, by `write(projecting:masking:into:)`).
    func append(projected lines: [UInt8], upserts: Int64, deletes: Int64) async throws {
        try encoder.append(encodedLines: lines, upserts: upserts, deletes: deletes)
        try await flush()
    }

    /// Writes the rest and makes the payload durable; returns the counts and digests for the delivery manifest.
    func finish() async throws -> (counts: BatchCounts, records: PayloadDigest, wire: PayloadDigest) {
        try encoder.finish()
        try await output.write(encoder.takeWire())
        try await output.finish()
        let digests = encoder.digests()
        return (encoder.counts, digests.records, digests.wire)
    }

    /// Drops the projection and its payload (the batch was refused, or the projection failed).
    func discard() {
        output.abandon()
    }
}
