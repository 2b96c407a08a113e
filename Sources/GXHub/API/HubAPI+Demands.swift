import GXDomain

extension HubAPI {
    /// A demand with who must act next and whether its time limit has passed.
    public struct DemandView: Codable, Sendable {
        public var demand: SharingDemand
        /// "authority", the provider's code, or absent once decided.
        public var awaiting: String?
        public var overdue: Bool

        public init(demand: SharingDemand, now: String) {
            self.demand = demand
            self.awaiting = demand.awaiting
            self.overdue = demand.isOverdue(at: now)
        }
    }

    public struct Withdraw: Codable, Sendable {
        public var reason: String?
        public init(reason: String? = nil) { self.reason = reason }
    }
}
