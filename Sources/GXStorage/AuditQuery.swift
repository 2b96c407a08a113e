/// Filters for auditors' queries; pages by sequence number (`afterSeq`), oldest first.
public struct AuditQuery: Sendable, Hashable {
    public var agency: String?
    public var agreement: String?
    public var action: String?
    public var actor: String?
    /// Inclusive lower bound, a timestamp or its prefix (`2026-11-22`).
    public var from: String?
    /// Exclusive upper bound, a timestamp or its prefix.
    public var until: String?
    public var afterSeq: Int64
    public var limit: Int

    public static let maximumLimit = 1000

    public init(agency: String? = nil, agreement: String? = nil, action: String? = nil, actor: String? = nil,
                from: String? = nil, until: String? = nil, afterSeq: Int64 = 0, limit: Int = 100) {
        self.agency = agency
        self.agreement = agreement
        self.action = action
        self.actor = actor
        self.from = from
        self.until = until
        self.afterSeq = afterSeq
        self.limit = max(1, min(limit, Self.maximumLimit))
    }
}
