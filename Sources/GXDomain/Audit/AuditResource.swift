/// Which catalogue resource an audit entry concerns, for auditors' `resource` filter.
///
/// An act names its resource in one of three ways: a `resource` detail (demands), the subject of a catalogue
/// act (the resource code), or the subject of a batch act (`CODE#sequence`, or the bare code of a refused push).
/// An act that names none but concerns an agreement concerns that agreement's resource; the store looks that up
/// when it appends the entry (`COALESCE(named, agreements.resource_code)`), so the rule's SQL twin in the
/// `v8-audit-resource-index` backfill must say the same.
public enum AuditResource {
    public static func named(action: String, subject: String, details: [String: CanonicalJSON]) -> String? {
        if case .string(let resource)? = details["resource"], !resource.isEmpty { return resource }
        if action.hasPrefix("catalogue.") { return subject.isEmpty ? nil : subject }
        if action.hasPrefix("batch.") {
            let code = subject.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? subject
            return code.isEmpty ? nil : code
        }
        return nil
    }

    public static func named(_ draft: AuditDraft) -> String? {
        named(action: draft.action, subject: draft.subject, details: draft.details)
    }
}
