/// What the hub declares about a batch as one consumer receives it — only the agreed items — and signs
/// with its SM2 key. It names the provider's manifest by digest, so the consumer can trace the delivery
/// back to what the provider signed.
public struct DeliveryManifest: Codable, Sendable, Hashable {
    public var agreementID: String
    public var provider: String
    public var consumer: String
    public var resourceCode: String
    public var schemaVersion: String
    public var sequence: Int64
    /// The agreed items, in the catalogue's order: the order of values in every record.
    public var items: [String]
    public var counts: BatchCounts
    public var records: PayloadDigest
    public var wire: PayloadDigest
    /// SM3 (hex) of the provider's canonical manifest, and the provider's signature over it (base64 DER).
    public var providerManifestSM3: String
    public var providerSignature: String
    public var createdAt: String
    /// The provider's mark on the last batch of its pass, carried over (absent on the others).
    public var endsPass: Bool?
    /// The items the hub masked for this consumer and how (item → `keep:6,4`, `year`), as the agreement
    /// says; absent when nothing is masked.
    public var masks: [String: String]?

    public init(agreementID: String, provider: String, consumer: String, resourceCode: String, schemaVersion: String,
                sequence: Int64, items: [String], counts: BatchCounts, records: PayloadDigest, wire: PayloadDigest,
                providerManifestSM3: String, providerSignature: String, createdAt: String, endsPass: Bool? = nil) {
        self.agreementID = agreementID
        self.provider = provider
        self.consumer = consumer
        self.resourceCode = resourceCode
        self.schemaVersion = schemaVersion
        self.sequence = sequence
        self.items = items
        self.counts = counts
        self.records = records
        self.wire = wire
        self.providerManifestSM3 = providerManifestSM3
        self.providerSignature = providerSignature
        self.createdAt = createdAt
        self.endsPass = endsPass
    }

    /// Whether this delivery closes its provider's pass.
    public var isLastOfPass: Bool { endsPass == true }

    enum CodingKeys: String, CodingKey {
        case agreementID = "agreement", provider, consumer, resourceCode = "resource", schemaVersion = "schema_version"
        case sequence, items, counts, records, wire, providerManifestSM3 = "provider_manifest_sm3"
        case providerSignature = "provider_signature", createdAt = "created_at", endsPass = "ends_pass"
        case masks
    }
}
