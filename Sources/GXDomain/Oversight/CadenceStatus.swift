/// How one period of an agreed frequency went.
public enum CadenceStatus: String, Codable, Sendable, CaseIterable {
    /// The provider's pass completed in the period and its consumer applied it (a matching receipt for the
    /// pass's last batch) before the period ended.
    case onTime = "on_time"
    /// The pass completed in the period, but the consumer's receipt came after it ended.
    case late
    /// 空白 of the consumer: a pass completed and its consumer never acknowledged it.
    case notApplied = "not_applied"
    /// 空白 of the provider: no pass completed in the period.
    case missed
    /// The period has not ended and is not yet complete.
    case pending
    /// The agreement was not in force in the period (not yet active, suspended, ended).
    case notDue = "not_due"

    /// Nothing arrived where something was agreed (空白).
    public var isBlank: Bool { self == .notApplied || self == .missed }

    /// One character for a table cell: ✓ on time, L late, A not applied, X missed, … pending, · not due.
    public var mark: String {
        switch self {
        case .onTime: "✓"
        case .late: "L"
        case .notApplied: "A"
        case .missed: "X"
        case .pending: "…"
        case .notDue: "·"
        }
    }
}
