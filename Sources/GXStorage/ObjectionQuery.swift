import GXDomain

/// Filters for listing objections; nil means any.
public struct ObjectionQuery: Sendable, Hashable {
    /// Either side: the consumer that raised it or the provider it is raised against.
    public var party: String?
    public var consumer: String?
    public var provider: String?
    public var agreement: String?
    public var resourceCode: String?
    public var state: ObjectionState?
    /// Only those that flag their record (open, escalated, confirmed): what consumers keep in `gx_disputed`.
    public var flagged: Bool
    /// A UTC timestamp (`Timestamp` form): only those awaiting the provider's answer whose deadline is at or before it.
    public var overdueAt: String?
    /// Raised at or after / before these UTC timestamps (for statistics over a period).
    public var raisedFrom: String?
    public var raisedBefore: String?

    public init(party: String? = nil, consumer: String? = nil, provider: String? = nil, agreement: String? = nil, resourceCode: String? = nil,
                state: ObjectionState? = nil, flagged: Bool = false, overdueAt: String? = nil, raisedFrom: String? = nil, raisedBefore: String? = nil) {
        self.party = party
        self.consumer = consumer
        self.provider = provider
        self.agreement = agreement
        self.resourceCode = resourceCode
        self.state = state
        self.flagged = flagged
        self.overdueAt = overdueAt
        self.raisedFrom = raisedFrom
        self.raisedBefore = raisedBefore
    }

    static let flaggedStates = ObjectionState.allCases.filter(\.flagsRecord).map(\.rawValue)
    static let awaitingStates = ObjectionState.allCases.filter(\.awaitsAnswer).map(\.rawValue)
}

/// How the objections raised in a period fared, for yearly oversight statistics.
public struct ObjectionTally: Sendable, Hashable, Codable {
    public var raised = 0
    /// Answered (confirmed or rejected) by the deadline.
    public var answeredInTime = 0
    public var answeredLate = 0
    /// Still awaiting an answer (open or escalated).
    public var unanswered = 0
    public var confirmed = 0
    public var rejected = 0
    /// Confirmed and corrected by a batch.
    public var closed = 0
    /// Put before the authority for want of an answer (whatever happened next).
    public var escalated = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case raised, answeredInTime = "answered_in_time", answeredLate = "answered_late", unanswered, confirmed, rejected, closed, escalated
    }
}

extension HubStore {
    /// Counts of the objections raised in [`from`, `before`) (UTC timestamps): how many were answered in
    /// time, late or not yet, confirmed, rejected, corrected, escalated.
    public func objectionTally(raisedFrom from: String, before: String) async throws -> ObjectionTally {
        var tally = ObjectionTally()
        for objection in try await objections(matching: ObjectionQuery(raisedFrom: from, raisedBefore: before)) {
            tally.raised += 1
            switch objection.answeredInTime {
            case true?: tally.answeredInTime += 1
            case false?: tally.answeredLate += 1
            case nil: tally.unanswered += 1
            }
            switch objection.answer?.decision {
            case .confirmed?: tally.confirmed += 1
            case .rejected?: tally.rejected += 1
            case nil: break
            }
            if objection.state == .closed { tally.closed += 1 }
            if objection.escalatedAt != nil { tally.escalated += 1 }
        }
        return tally
    }
}
