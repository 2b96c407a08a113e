import Foundation
import GXDomain

/// Filters for auditors' queries; pages by sequence number (`afterSeq`), oldest first.
public struct AuditQuery: Sendable, Hashable {
    public var agency: String?
    public var agreement: String?
    /// Entries concerning this catalogue resource (see `AuditResource`).
    public var resource: String?
    public var action: String?
    public var actor: String?
    /// Inclusive lower bound: entries at or after this instant.
    public var from: Date?
    /// Inclusive upper bound: entries at or before this instant (to the millisecond). A bound a person typed
    /// is read with `Timestamp.lastInstant(through:)`, so a date or a whole second covers all of it.
    public var until: Date?
    public var afterSeq: Int64
    public var limit: Int

    public static let maximumLimit = 1000

    /// The filters that make a search a selection rather than the whole chain, by their API names (paging aside).
    public var filters: [(name: String, value: String)] {
        var filters: [(String, String)] = []
        for (name, value) in [("agency", agency), ("agreement", agreement), ("resource", resource), ("action", action), ("actor", actor),
                              ("from", fromTimestamp), ("until", untilTimestamp)] {
            if let value { filters.append((name, value)) }
        }
        return filters
    }

    public init(agency: String? = nil, agreement: String? = nil, resource: String? = nil, action: String? = nil, actor: String? = nil,
                from: Date? = nil, until: Date? = nil, afterSeq: Int64 = 0, limit: Int = 100) {
        self.agency = agency
        self.agreement = agreement
        self.resource = resource
        self.action = action
        self.actor = actor
        self.from = from
        self.until = until
        self.afterSeq = afterSeq
        self.limit = max(1, min(limit, Self.maximumLimit))
    }

    /// The bounds as the stored text of entry times (UTC, milliseconds). Entry times are whole milliseconds,
    /// so rounding `from` up and `until` down keeps `time >= from` and `time <= until` exact, and the
    /// fixed-width text compares as the instants do.
    public var fromTimestamp: String? { from.map { Self.storedForm($0, .up) } }
    public var untilTimestamp: String? { until.map { Self.storedForm($0, .down) } }

    static func storedForm(_ date: Date, _ rounding: FloatingPointRoundingRule) -> String {
        // A microsecond of slack each way: a parsed `.123` is not exactly 123 ms in binary.
        let millis = (date.timeIntervalSince1970 * 1000 + (rounding == .up ? -0.001 : 0.001)).rounded(rounding)
        return Timestamp.string(from: Date(timeIntervalSince1970: (millis + 0.1) / 1000))
    }
}
