import Foundation
import GXCrypto
import GXDomain

/// Downloads one delivery to the agent's `incoming/` folder and checks its manifest: signed by the hub,
/// for this agreement, sequence, consumer and items. Apart from the apply, so the next delivery can
/// download while the current one is applied.
struct DeliveryFetcher: Sendable {
    let client: AgentHubClient
    let hubKey: SM2PublicKey
    let agency: String
    let directory: URL
    let items: [String]

    struct Delivery: Sendable {
        var file: URL
        var manifest: DeliveryManifest
        var what: String
    }

    func start(agreement: String, sequence: Int64) -> Task<Delivery, any Error> {
        Task { try await fetch(agreement: agreement, sequence: sequence) }
    }

    func fetch(agreement id: String, sequence: Int64) async throws -> Delivery {
        let what = "delivery \(id)#\(sequence)"
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("\(id)-\(sequence).deflate")
        let (manifestBase64, signatureBase64) = try await client.pullBatch(agreement: id, sequence: sequence, to: file)
        CrashPoint.reached("consumer.pulled")
        let signed = try SignedDocument<DeliveryManifest>(base64Content: manifestBase64, base64Signature: signatureBase64, field: "manifest")
        guard signed.isSigned(by: hubKey) else { throw AgentError.verification(what: what, reason: "the manifest is not signed by the hub's key") }
        let manifest = signed.content
        guard manifest.agreementID == id, manifest.sequence == sequence, manifest.consumer == agency, manifest.items == items else {
            throw AgentError.verification(what: what, reason: "the manifest is for \(manifest.agreementID)#\(manifest.sequence) to \(manifest.consumer) with items \(manifest.items)")
        }
        return Delivery(file: file, manifest: manifest, what: what)
    }
}
