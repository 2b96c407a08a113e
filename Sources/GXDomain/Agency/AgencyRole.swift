/// What an agency does on the exchange; an agency can be both.
public enum AgencyRole: String, Codable, Sendable, CaseIterable, Comparable {
    case provider
    case consumer

    public static func < (a: AgencyRole, b: AgencyRole) -> Bool { a.rawValue < b.rawValue }
}
