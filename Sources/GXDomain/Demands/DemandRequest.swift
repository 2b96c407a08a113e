/// What a consumer agency asks for in a demand: the resource, the items, why and on what basis, how often
/// and for how long. It becomes the terms of the agreement once granted.
public struct DemandRequest: Codable, Sendable, Hashable {
    public var resourceCode: String
    /// Items wanted; the resource's key items are added if left out (records cannot be matched without them).
    public var items: [String]
    public var purpose: String
    /// Legal or policy basis (依据); required for 有条件共享 resources.
    public var basis: String?
    /// How often; the resource's update cycle when absent.
    public var frequency: UpdateCycle?
    /// push or pull; pull when absent.
    public var method: DeliveryMethod?
    /// The period wanted.
    public var validFrom: CalendarDate
    public var validUntil: CalendarDate

    public init(resourceCode: String, items: [String], purpose: String, basis: String? = nil, frequency: UpdateCycle? = nil,
                method: DeliveryMethod? = nil, validFrom: CalendarDate, validUntil: CalendarDate) {
        self.resourceCode = resourceCode
        self.items = items
        self.purpose = purpose
        self.basis = basis
        self.frequency = frequency
        self.method = method
        self.validFrom = validFrom
        self.validUntil = validUntil
    }

    enum CodingKeys: String, CodingKey {
        case resourceCode = "resource", items, purpose, basis, frequency, method, validFrom = "valid_from", validUntil = "valid_until"
    }
}
