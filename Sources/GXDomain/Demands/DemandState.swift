/// Where a sharing demand (共享需求) is in its life.
///
/// `submitted` and `underReview` await the authority, `forwarded` awaits the provider; the last four are final.
public enum DemandState: String, Codable, Sendable, CaseIterable {
    case submitted
    case underReview = "under_review"
    case forwarded
    case granted
    case partiallyGranted = "partially_granted"
    case refused
    case withdrawn

    public var isFinal: Bool { [.granted, .partiallyGranted, .refused, .withdrawn].contains(self) }
    /// Whether a time limit runs: the authority's review or the provider's reply.
    public var isOpen: Bool { !isFinal }
}
