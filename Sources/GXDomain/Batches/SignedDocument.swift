import Foundation
import GXCrypto

/// A manifest or receipt as it travels: its canonical JSON bytes and an SM2 signature over them.
///
/// The signed bytes are the canonical form (RFC 8785), so signer and verifier agree on them on any machine;
/// both go base64 in HTTP headers or JSON bodies.
public struct SignedDocument<Content: Codable & Sendable>: Sendable {
    public let content: Content
    public let canonicalBytes: [UInt8]
    /// DER SM2 signature.
    public let signature: [UInt8]

    /// Signs `content` with `key`.
    public init(signing content: Content, with key: SM2PrivateKey) throws {
        self.content = content
        canonicalBytes = try CanonicalJSON(encoding: content).canonicalBytes
        signature = try key.signature(for: canonicalBytes)
    }

    /// Decodes a received document; refuses bytes that are not the canonical form of what they decode to.
    public init(base64Content: String, base64Signature: String, field: String) throws(InvalidInput) {
        guard let bytes = Data(base64Encoded: base64Content), let signature = Data(base64Encoded: base64Signature) else {
            throw InvalidInput(field: field, reason: "not base64")
        }
        let content: Content
        do {
            content = try JSONDecoder().decode(Content.self, from: bytes)
        } catch let error as DecodingError {
            throw InvalidInput(field: error.fieldPath.map { "\(field).\($0)" } ?? field, reason: "not a valid document: \(error.plainReason)")
        } catch {
            throw InvalidInput(field: field, reason: "not a valid document")
        }
        guard let canonical = try? CanonicalJSON(encoding: content).canonicalBytes, canonical == Array(bytes) else {
            throw InvalidInput(field: field, reason: "not in canonical form (RFC 8785)")
        }
        self.content = content
        canonicalBytes = canonical
        self.signature = Array(signature)
    }

    /// Whether `publicKey` made the signature.
    public func isSigned(by publicKey: SM2PublicKey) -> Bool {
        (try? publicKey.isValidSignature(signature, for: canonicalBytes)) ?? false
    }

    /// SM3 (hex) of the canonical bytes: how other documents refer to this one.
    public var sm3: String { SM3.digest(canonicalBytes).hex }

    public var base64Content: String { Data(canonicalBytes).base64EncodedString() }
    public var base64Signature: String { Data(signature).base64EncodedString() }
}
