import GXDomain

/// A batch the hub accepted: the provider's signed manifest exactly as received, and where its payload is.
public struct StoredBatch: Sendable, Hashable {
    public var manifest: BatchManifest
    /// The canonical manifest bytes the provider signed, base64, and its SM2 signature, base64 DER.
    public var manifestBase64: String
    public var signatureBase64: String
    /// SM3 (hex) of the canonical manifest: how an idempotent resend is recognised.
    public var manifestSM3: String
    public var acceptedAt: String
    /// Payload file, relative to the hub's batch directory; nil once pruned.
    public var payloadPath: String?

    public init(manifest: BatchManifest, manifestBase64: String, signatureBase64: String, manifestSM3: String,
                acceptedAt: String, payloadPath: String?) {
        self.manifest = manifest
        self.manifestBase64 = manifestBase64
        self.signatureBase64 = signatureBase64
        self.manifestSM3 = manifestSM3
        self.acceptedAt = acceptedAt
        self.payloadPath = payloadPath
    }
}

/// One batch projected to an agreement's items, as its consumer pulls it, with the hub's signed manifest.
public struct StoredDelivery: Sendable, Hashable {
    public var manifest: DeliveryManifest
    public var manifestBase64: String
    public var signatureBase64: String
    public var payloadPath: String?

    public init(manifest: DeliveryManifest, manifestBase64: String, signatureBase64: String, payloadPath: String?) {
        self.manifest = manifest
        self.manifestBase64 = manifestBase64
        self.signatureBase64 = signatureBase64
        self.payloadPath = payloadPath
    }
}

/// A consumer's signed receipt for one delivery.
public struct StoredReceipt: Sendable, Hashable {
    public var receipt: BatchReceipt
    public var receiptBase64: String
    public var signatureBase64: String
    public var receivedAt: String

    public init(receipt: BatchReceipt, receiptBase64: String, signatureBase64: String, receivedAt: String) {
        self.receipt = receipt
        self.receiptBase64 = receiptBase64
        self.signatureBase64 = signatureBase64
        self.receivedAt = receivedAt
    }
}
