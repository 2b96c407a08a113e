/// Bodies of the hub's batch, delivery and receipt routes, shared by the hub and the agent.
public enum ExchangeAPI {
    /// The hub's answer to a pushed batch.
    public struct BatchOutcome: Codable, Sendable {
        /// "accepted", or "already accepted" for an idempotent resend.
        public var status: String
        public var sequence: Int64
        public var manifestSM3: String
        public init(status: String, sequence: Int64, manifestSM3: String) {
            self.status = status
            self.sequence = sequence
            self.manifestSM3 = manifestSM3
        }
        enum CodingKeys: String, CodingKey { case status, sequence, manifestSM3 = "manifest_sm3" }
    }

    /// A resource's batches as its provider, the admin or an auditor sees them, with receipts so far.
    public struct BatchList: Codable, Sendable {
        public var lastSequence: Int64
        public var batches: [BatchView]
        public init(lastSequence: Int64, batches: [BatchView]) {
            self.lastSequence = lastSequence
            self.batches = batches
        }
        enum CodingKeys: String, CodingKey { case lastSequence = "last_sequence", batches }
    }

    public struct BatchView: Codable, Sendable {
        public var manifest: BatchManifest
        public var manifestSM3: String
        public var acceptedAt: String
        public var pruned: Bool
        public var receipts: [BatchReceipt]
        /// The provider's signed manifest exactly as pushed, so anyone can re-check its SM2 signature
        /// against the key the provider had when the batch was accepted.
        public var manifestBase64: String
        public var signatureBase64: String
        public init(manifest: BatchManifest, manifestSM3: String, acceptedAt: String, pruned: Bool, receipts: [BatchReceipt],
                    manifestBase64: String, signatureBase64: String) {
            self.manifest = manifest
            self.manifestSM3 = manifestSM3
            self.acceptedAt = acceptedAt
            self.pruned = pruned
            self.receipts = receipts
            self.manifestBase64 = manifestBase64
            self.signatureBase64 = signatureBase64
        }
        enum CodingKeys: String, CodingKey {
            case manifest, manifestSM3 = "manifest_sm3", acceptedAt = "accepted_at", pruned, receipts
            case manifestBase64 = "manifest_base64", signatureBase64 = "signature_base64"
        }
    }

    /// What a consumer may pull under an agreement, and what the hub has of its receipts.
    public struct DeliveryList: Codable, Sendable {
        /// The highest sequence the hub holds a receipt for.
        public var acknowledged: Int64
        public var batches: [AvailableBatch]
        public init(acknowledged: Int64, batches: [AvailableBatch]) {
            self.acknowledged = acknowledged
            self.batches = batches
        }
    }

    public struct AvailableBatch: Codable, Sendable {
        public var sequence: Int64
        public var upserts: Int64
        public var deletes: Int64
        /// False once pruned.
        public var available: Bool
        /// True if the batch is the last of its provider's pass (absent from hubs that predate the mark).
        public var endsPass: Bool?
        /// When the hub accepted the batch, so a following consumer can tell tonight's pass from an older
        /// one (absent from hubs that predate it).
        public var acceptedAt: String?
        /// For a batch without records (a pass that changed nothing still ends with one): the hub's signed
        /// delivery manifest, so the consumer acknowledges it without downloading a payload.
        public var manifestBase64: String?
        public var signatureBase64: String?
        /// With that manifest: the provider's signed manifest of the batch (canonical JSON, base64).
        public var providerManifestBase64: String?
        public init(sequence: Int64, upserts: Int64, deletes: Int64, available: Bool, endsPass: Bool? = nil, acceptedAt: String? = nil) {
            self.sequence = sequence
            self.upserts = upserts
            self.deletes = deletes
            self.available = available
            self.endsPass = endsPass
            self.acceptedAt = acceptedAt
        }
        enum CodingKeys: String, CodingKey {
            case sequence, upserts, deletes, available, endsPass = "ends_pass", acceptedAt = "accepted_at"
            case manifestBase64 = "manifest_base64", signatureBase64 = "signature_base64"
            case providerManifestBase64 = "provider_manifest_base64"
        }
    }

    /// A receipt as sent: base64 canonical JSON and base64 DER SM2 signature.
    public struct SignedReceipt: Codable, Sendable {
        public var receipt: String
        public var signature: String
        public init(receipt: String, signature: String) {
            self.receipt = receipt
            self.signature = signature
        }
    }

    public struct ReceiptOutcome: Codable, Sendable {
        public var status: String
        public var sequence: Int64
        public init(status: String, sequence: Int64) {
            self.status = status
            self.sequence = sequence
        }
    }

    /// Header names: manifests travel as base64 canonical JSON beside the payload.
    public static let manifestHeader = "X-GX-Manifest"
    public static let signatureHeader = "X-GX-Signature"
    /// On a delivery: the provider's signed manifest it was projected from (canonical JSON, base64; the
    /// signature is in the delivery manifest), and when the hub accepted that batch, so the consumer checks
    /// the provider's signature with the key in force then.
    public static let providerManifestHeader = "X-GX-Provider-Manifest"
    public static let acceptedAtHeader = "X-GX-Accepted-At"
}
