import Foundation
import GXDomain

extension Hub {
    /// Audits a refused request under its authenticated caller, within the caller's allowance of refusal
    /// entries (`RefusalAuditing`); past it the refusal is only counted, and summarised when the window ends.
    /// Text in `draft` that echoes what the caller sent must already be cut with `RefusalAuditing.excerpt`.
    func auditRefusal(_ draft: AuditDraft, by caller: Principal) async throws {
        let time = now()
        let (record, summaries) = refusals.admit(caller, action: draft.action, at: time)
        if !record { metrics.refusalUnrecorded(action: draft.action) }
        let drafts = summaries + (record ? [draft] : [])
        guard !drafts.isEmpty else { return }
        try await store.commit([], audit: drafts, at: time)
    }

    /// Writes the summaries of refusal windows that ended (all of them, `all`, at shutdown).
    public func auditRefusalSummaries(at time: Date? = nil, all: Bool = false) async throws {
        let time = time ?? now()
        let summaries = refusals.closeWindows(at: time, all: all)
        guard !summaries.isEmpty else { return }
        try await store.commit([], audit: summaries, at: time)
    }
}
