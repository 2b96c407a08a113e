import Foundation
import GXCrypto
import GXDomain

/// Downloads one delivery (into memory, or to the agent's `incoming/` folder when large) and checks its manifest: signed by the hub,
/// for this agreement, sequence, consumer and items, and projected from a batch its provider signed. Apart from the apply, so the next delivery can
/// download while the current one is applied.
struct DeliveryFetcher: Sendable {
    let client: AgentHubClient
    let hubKey: SM2PublicKey
    let agency: String
    let directory: URL
    /// The item lists the agreement's filed revisions agreed (see `DeliveryMappers`).
    let itemLists: Set<[String]>
    /// The agreement's masks (item → mask), which every delivery manifest must declare.
    let masks: [String: String]?
    /// The provider's registered keys, and what it must have signed: its batches of this resource.
    let providerKeys: ProviderKeys
    let provider: String
    let resourceCode: String

    /// Deliveries up to this size are applied from memory and never written to `incoming/` (a delivery of
    /// 100 000 records is about 7 MB; at most two are held at once, the one applied and the next).
    /// `GX_DELIVERY_MEMORY=BYTES` sets another limit (0: every delivery to a sealed file first).
    static let memoryLimit = getenv("GX_DELIVERY_MEMORY").flatMap { Int(String(cString: $0)) }.map { max(0, $0) } ?? 16 << 20

    struct Delivery: Sendable {
        /// The downloaded payload's file, when it was too large to keep in memory; nil for a batch without
        /// records (acknowledged from its manifest alone) and for one held in `payload`.
        var file: URL?
        /// The downloaded payload, when it was small enough to keep in memory.
        var payload: [UInt8]? = nil
        var manifest: DeliveryManifest
        var what: String
        /// Opens `file`: downloads are sealed under the agent's data keys.
        var keyring: DataKeyring?
    }

    /// A listed batch: downloaded, or — a batch without records whose signed manifest came with the list —
    /// taken from that manifest alone once it is checked to hold no records.
    func fetch(agreement id: String, batch: ExchangeAPI.AvailableBatch) async throws -> Delivery {
        guard let manifestBase64 = batch.manifestBase64, let signatureBase64 = batch.signatureBase64 else {
            return try await fetch(agreement: id, sequence: batch.sequence)
        }
        let delivery = try await checked(manifestBase64, signatureBase64, agreement: id, sequence: batch.sequence, file: nil,
                                         providerManifest: batch.providerManifestBase64, acceptedAt: batch.acceptedAt)
        let manifest = delivery.manifest
        guard manifest.counts.records == 0, manifest.records.bytes == 0, manifest.records.sm3 == SM3.digest([UInt8]()).hex else {
            throw AgentError.verification(what: delivery.what, reason: "listed without its payload, yet its manifest holds records")
        }
        return delivery
    }

    func start(agreement: String, sequence: Int64) -> Task<Delivery, any Error> {
        Task { try await fetch(agreement: agreement, sequence: sequence) }
    }

    func fetch(agreement id: String, sequence: Int64) async throws -> Delivery {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("\(id)-\(sequence).deflate")
        let pulled = try await client.pullBatch(agreement: id, sequence: sequence, to: file, memoryLimit: Self.memoryLimit)
        CrashPoint.reached("consumer.pulled")
        do {
            var delivery = try await checked(pulled.manifest, pulled.signature, agreement: id, sequence: sequence, file: file,
                                             providerManifest: pulled.providerManifest, acceptedAt: pulled.acceptedAt)
            if case .memory(let bytes) = pulled.payload {
                delivery.file = nil
                delivery.payload = bytes
            }
            return delivery
        } catch {
            // A refused delivery is not kept: nothing of it may be applied later.
            try? FileManager.default.removeItem(at: file)
            throw error
        }
    }

    /// The delivery whose manifest this is, once it is the hub's, for this agreement, sequence, consumer and items,
    /// and traces back to the provider's signed manifest of the batch.
    private func checked(_ manifestBase64: String, _ signatureBase64: String, agreement id: String, sequence: Int64, file: URL?,
                         providerManifest: String?, acceptedAt: String?) async throws -> Delivery {
        let what = "delivery \(id)#\(sequence)"
        let signed = try SignedDocument<DeliveryManifest>(base64Content: manifestBase64, base64Signature: signatureBase64, field: "manifest")
        guard signed.isSigned(by: hubKey) else { throw AgentError.verification(what: what, reason: "the manifest is not signed by the hub's key") }
        let manifest = signed.content
        guard manifest.agreementID == id, manifest.sequence == sequence, manifest.consumer == agency, itemLists.contains(manifest.items) else {
            throw AgentError.verification(what: what, reason: "the manifest is for \(manifest.agreementID)#\(manifest.sequence) to \(manifest.consumer) with items \(manifest.items)")
        }
        guard manifest.masks == masks else {
            throw AgentError.verification(what: what, reason: "the manifest declares masks \(manifest.masks ?? [:]), the agreement \(masks ?? [:])")
        }
        guard manifest.provider == provider else {
            throw AgentError.verification(what: what, reason: "the manifest names provider \(manifest.provider), the agreement \(provider)")
        }
        func refusal(refreshed: Bool) async throws -> String? {
            ProviderManifestCheck.refusal(of: manifest, providerManifestBase64: providerManifest, acceptedAt: acceptedAt,
                                          provider: try await providerKeys.agency(refreshed: refreshed), resourceCode: resourceCode)
        }
        // Checked again with the keys asked anew: the provider may have rotated since they were asked.
        if try await refusal(refreshed: false) != nil, let reason = try await refusal(refreshed: true) {
            throw AgentError.verification(what: what, reason: reason)
        }
        return Delivery(file: file, manifest: manifest, what: what, keyring: client.dataKeys)
    }
}
