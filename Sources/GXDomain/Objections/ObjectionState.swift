/// Where an objection (数据异议) is in the local procedure: raise → accept and flag → verify and correct →
/// withdraw the flag → archive.
///
/// The hub accepts an objection as it is raised (party, agreement, key and items checked), so it begins
/// `open`: accepted, the record flagged, the provider's answer awaited. `escalated` is an open objection
/// the provider left unanswered past its deadline, now before the authority (the provider may still answer).
/// `confirmed` awaits the correcting batch; `rejected` and `closed` are final and withdraw the flag.
public enum ObjectionState: String, Codable, Sendable, CaseIterable {
    case open
    case escalated
    case confirmed
    case rejected
    case closed

    public var isFinal: Bool { self == .rejected || self == .closed }
    /// Whether the record is flagged for the consumers of its resource (the consumer agents' `gx_disputed`).
    public var flagsRecord: Bool { !isFinal }
    /// Whether the provider's answer is awaited (its time limit runs).
    public var awaitsAnswer: Bool { self == .open || self == .escalated }
}
