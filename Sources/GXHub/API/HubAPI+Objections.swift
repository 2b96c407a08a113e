import GXDomain

extension HubAPI {
    /// An objection with who must act next and whether the provider's answer is overdue.
    public struct ObjectionView: Codable, Sendable {
        public var objection: Objection
        /// The provider's code, "authority" once escalated, or absent once final.
        public var awaiting: String?
        public var overdue: Bool

        public init(objection: Objection, now: String) {
            self.objection = objection
            self.awaiting = objection.awaiting
            self.overdue = objection.isOverdue(at: now)
        }
    }
}
