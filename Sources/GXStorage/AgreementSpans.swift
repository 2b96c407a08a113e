import Foundation
import GXDomain

/// When each agreement was active (`agreement_spans`): the store opens a span when it appends an activation
/// or resumption to the audit chain and closes the open one at a suspension, revocation, expiry or
/// replacement, in the same transaction, so compliance reads the spans instead of replaying the chain.
public enum AgreementSpans {
    /// The audit actions that open an agreement's active span (none is opened while one is open).
    public static let starts: Set<String> = ["agreement.activated", "agreement.resumed"]
    /// The audit actions that close its open span (none if it has no open span).
    public static let stops: Set<String> = ["agreement.suspended", "agreement.revoked", "agreement.expired", "agreement.superseded"]
    /// The migration that creates the spans and fills them from the chain an older hub already holds.
    public static let migration = "v13-agreement-spans"

    /// Whether an audit entry opens (true) or closes (false) a span of its agreement, or neither (nil).
    static func move(of action: String) -> Bool? {
        starts.contains(action) ? true : stops.contains(action) ? false : nil
    }

    /// Spans as the stores read them (agreement, start, end or nil while open), grouped per agreement in order.
    static func grouped(_ rows: [(agreement: String, from: String, until: String?)]) -> [String: [ActiveSpan]] {
        var spans: [String: [ActiveSpan]] = [:]
        for row in rows {
            guard let from = Timestamp.instant(from: row.from) else { continue }
            spans[row.agreement, default: []].append(ActiveSpan(from: from, until: row.until.flatMap(Timestamp.instant(from:))))
        }
        return spans
    }
}
