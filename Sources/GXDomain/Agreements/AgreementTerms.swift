/// The content both parties sign (共享协议): what flows, why, how often and for how long.
///
/// Everything here is covered by the signatures; state and signatures live in `SharingAgreement`.
public struct AgreementTerms: Codable, Sendable, Hashable {
    public var id: String
    public var provider: String
    public var consumer: String
    public var resourceCode: String
    public var schemaVersion: String
    /// The agreed information items; the entry's key items are always among them.
    public var items: [String]
    public var purpose: String
    /// Legal or policy basis; required for 有条件共享 resources.
    public var basis: String?
    public var frequency: UpdateCycle
    public var method: DeliveryMethod
    public var validFrom: CalendarDate
    public var validUntil: CalendarDate
    public var duties: AgreementDuties
    /// The agreement this one amends; it becomes superseded when this one is filed.
    public var supersedes: String?
    /// The demand (共享需求) this agreement was drawn up from, when it came from one.
    public var demand: String?
    /// Which amendment of the agreement these terms are (1, 2, …); absent for the terms first filed.
    public var amendment: Int?
    /// Masks (脱敏) the hub applies to items before they reach the consumer, by item name (`[masks]` in TOML).
    public var masks: [String: ItemMask]?

    public init(id: String, provider: String, consumer: String, resourceCode: String, schemaVersion: String,
                items: [String], purpose: String, basis: String?, frequency: UpdateCycle, method: DeliveryMethod,
                validFrom: CalendarDate, validUntil: CalendarDate, duties: AgreementDuties, supersedes: String? = nil) {
        self.id = id
        self.provider = provider
        self.consumer = consumer
        self.resourceCode = resourceCode
        self.schemaVersion = schemaVersion
        self.items = items
        self.purpose = purpose
        self.basis = basis
        self.frequency = frequency
        self.method = method
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.duties = duties
        self.supersedes = supersedes
    }

    enum CodingKeys: String, CodingKey {
        case id, provider, consumer, resourceCode = "resource", schemaVersion = "schema_version", items, purpose, basis
        case frequency, method, validFrom = "valid_from", validUntil = "valid_until", duties, supersedes, demand, amendment
        case masks
    }
}
