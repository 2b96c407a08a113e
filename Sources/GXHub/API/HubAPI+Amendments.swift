import GXDomain

extension HubAPI {
    /// What an amendment changes; anything absent stays as filed. A reason is required.
    public struct Amend: Codable, Sendable {
        public var items: [String]?
        public var validFrom: CalendarDate?
        public var validUntil: CalendarDate?
        public var frequency: UpdateCycle?
        public var duties: AgreementDuties?
        public var reason: String

        public init(items: [String]? = nil, validFrom: CalendarDate? = nil, validUntil: CalendarDate? = nil,
                    frequency: UpdateCycle? = nil, duties: AgreementDuties? = nil, reason: String) {
            self.items = items
            self.validFrom = validFrom
            self.validUntil = validUntil
            self.frequency = frequency
            self.duties = duties
            self.reason = reason
        }

        enum CodingKeys: String, CodingKey {
            case items, validFrom = "valid_from", validUntil = "valid_until", frequency, duties, reason
        }
    }
}
