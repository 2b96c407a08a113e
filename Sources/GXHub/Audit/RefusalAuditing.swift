import Foundation
import GXDomain
import NIOConcurrencyHelpers

/// Limits how many audit entries an authenticated caller can cause by being refused: at most `limit` per
/// `window` each; past that, refusals are counted (and in the metrics) and summarised by one entry when
/// the window ends. Without it any agency could grow the chain — and the evidence an auditor must read —
/// without bound. Per hub process; callers are registered principals, so the table stays small.
public final class RefusalAuditing: Sendable {
    public let limit: Int
    public let window: TimeInterval
    private let windows = NIOLockedValueBox<[Principal: Window]>([:])

    struct Window {
        var start: Date
        var recorded = 0
        var suppressed: [String: Int64] = [:]
    }

    public init(limit: Int = 20, window: TimeInterval = 60) {
        self.limit = limit
        self.window = window
    }

    /// Whether a refusal of `caller` at `time` gets its own entry, and the summaries of windows of this caller
    /// that ended (to be appended before it).
    func admit(_ caller: Principal, action: String, at time: Date) -> (record: Bool, summaries: [AuditDraft]) {
        windows.withLockedValue { windows in
            var summaries: [AuditDraft] = []
            var current = windows[caller] ?? Window(start: time)
            if time.timeIntervalSince(current.start) >= window {
                summaries += summary(of: current, for: caller, until: time)
                current = Window(start: time)
            }
            let record = current.recorded < limit
            if record { current.recorded += 1 } else { current.suppressed[action, default: 0] += 1 }
            windows[caller] = current
            return (record, summaries)
        }
    }

    /// Summaries of every window that ended by `time` (every window, `all`), which are forgotten.
    func closeWindows(at time: Date, all: Bool = false) -> [AuditDraft] {
        windows.withLockedValue { windows in
            var summaries: [AuditDraft] = []
            for (caller, current) in windows where all || time.timeIntervalSince(current.start) >= window {
                summaries += summary(of: current, for: caller, until: time)
                windows[caller] = nil
            }
            return summaries
        }
    }

    /// One entry saying how many refusals of `caller` went unrecorded, by action; none if none did.
    func summary(of window: Window, for caller: Principal, until time: Date) -> [AuditDraft] {
        let total = window.suppressed.values.reduce(0, +)
        guard total > 0 else { return [] }
        var agencies: [String] = []
        if case let .agency(code) = caller { agencies = [code] }
        return [AuditDraft(actor: caller.description, action: "audit.refusals_summarised", subject: caller.description, agencies: agencies,
                           details: ["from": .string(Timestamp.string(from: window.start)), "until": .string(Timestamp.string(from: time)),
                                     "recorded": .integer(Int64(window.recorded)), "unrecorded": .integer(total),
                                     "unrecorded_by_action": .object(window.suppressed.mapValues { .integer($0) })])]
    }

    /// At most `limit` characters of a refusal's text (which may echo what the refused party sent), with a note
    /// of the cut.
    public static func excerpt(_ text: String, limit: Int = 200) -> String {
        guard text.count > limit else { return text }
        return "\(text.prefix(limit))… [cut: \(text.count) characters]"
    }
}
