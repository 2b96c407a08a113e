import Foundation
import GXCrypto
import GXDomain

/// Traces a delivery back to what its provider signed: the hub's signature says what the hub sent, this says
/// the hub did not make the batch up. The provider's manifest must be the one the delivery names (SM3), carry
/// a signature by the provider's key in force when the hub accepted the batch, and describe the same batch
/// (provider, resource, sequence, schema, counts, the delivered items among its own); a key revoked by then
/// verifies nothing.
enum ProviderManifestCheck {
    /// Why the delivery does not trace back to its provider, or nil when it does.
    static func refusal(of delivery: DeliveryManifest, providerManifestBase64: String?, acceptedAt: String?, provider: Agency,
                        resourceCode: String) -> String? {
        guard let providerManifestBase64, let acceptedAt else {
            return "the hub sent no provider manifest with it (a hub older than this agent?)"
        }
        guard let bytes = Data(base64Encoded: providerManifestBase64), SM3.digest([UInt8](bytes)).hex == delivery.providerManifestSM3 else {
            return "the provider manifest the hub sent is not the one the delivery names (provider_manifest_sm3 \(delivery.providerManifestSM3))"
        }
        guard let signed = try? SignedDocument<BatchManifest>(base64Content: providerManifestBase64, base64Signature: delivery.providerSignature,
                                                             field: "provider_manifest") else {
            return "the provider manifest is not a canonical batch manifest with a base64 signature"
        }
        let batch = signed.content
        guard delivery.provider == provider.code, batch.provider == provider.code, batch.resourceCode == resourceCode,
              delivery.resourceCode == resourceCode, batch.sequence == delivery.sequence, batch.schemaVersion == delivery.schemaVersion,
              batch.endsPass == delivery.endsPass, batch.counts.upserts == delivery.counts.upserts, batch.counts.deletes == delivery.counts.deletes,
              Set(delivery.items).isSubset(of: batch.items) else {
            return "the provider manifest describes \(batch.provider)'s \(batch.resourceCode)#\(batch.sequence) (\(batch.counts.upserts) upserts, "
                + "\(batch.counts.deletes) deletes), not this delivery of \(delivery.provider)'s \(delivery.resourceCode)#\(delivery.sequence)"
        }
        let pem = provider.publicKeyPEM(at: acceptedAt)
        guard let key = try? SM2PublicKey(pem: pem), signed.isSigned(by: key) else {
            return "the provider's signature on its manifest does not verify with \(provider.code)'s key in force at \(acceptedAt) "
                + "(public key SM3 \(SM3.digest(pem).hex.prefix(16))…)"
        }
        // A key revoked as compromised at or before the batch was accepted vouches for nothing.
        do { try provider.checkNotRevoked(pem, at: acceptedAt) } catch {
            return "the provider's manifest was accepted at \(acceptedAt) but signed with a revoked key: \(error)"
        }
        return nil
    }
}
