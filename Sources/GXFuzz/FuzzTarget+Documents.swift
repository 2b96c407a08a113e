import Foundation
import GXAgent
import GXDomain

/// The documents: signed manifests as they arrive in headers, and the TOML files admins and agencies write.
extension FuzzTarget {
    /// The input is the manifest's JSON; a batch manifest and a delivery manifest are each tried, as the hub
    /// and the consumer read them (base64 of canonical JSON, signature aside).
    static func manifest(_ bytes: [UInt8]) {
        let base64 = Data(bytes).base64EncodedString()
        if let batch = try? SignedDocument<BatchManifest>(base64Content: base64, base64Signature: "", field: "manifest") {
            if batch.canonicalBytes != bytes { finding("an accepted batch manifest is not its own canonical form") }
        }
        if let delivery = try? SignedDocument<DeliveryManifest>(base64Content: base64, base64Signature: "", field: "manifest") {
            if delivery.canonicalBytes != bytes { finding("an accepted delivery manifest is not its own canonical form") }
        }
        _ = try? SignedDocument<BatchReceipt>(base64Content: base64, base64Signature: "", field: "receipt")
    }

    static func catalogueTOML(_ bytes: [UInt8]) {
        guard let text = String(validating: bytes, as: UTF8.self) else { return }
        _ = try? TOMLDocument.decode(CatalogueEntry.self, from: text, source: "fuzz.toml").validated()
    }

    /// An agreement that parses must read back the same from the TOML the hub writes for it.
    static func agreementTOML(_ bytes: [UInt8]) {
        guard let text = String(validating: bytes, as: UTF8.self),
              let terms = try? TOMLDocument.decode(AgreementTerms.self, from: text, source: "fuzz.toml") else { return }
        do {
            let again = try TOMLDocument.decode(AgreementTerms.self, from: terms.tomlText, source: "written.toml")
            if again != terms { finding("an agreement reads back differently from its own TOML:\n\(terms.tomlText)") }
        } catch {
            finding("an agreement's own TOML does not read back: \(error)\n\(terms.tomlText)")
        }
    }

    static func agentConfig(_ bytes: [UInt8]) {
        guard let text = String(validating: bytes, as: UTF8.self) else { return }
        _ = try? TOMLDocument.decode(AgentConfiguration.self, from: text, source: "agent.toml")
    }
}
