/// An act about to be recorded; the store gives it a sequence number and seals it into the chain.
public struct AuditDraft: Sendable, Hashable {
    public var actor: String
    public var action: String
    public var subject: String
    /// The agreement the act concerns, for auditors' filters.
    public var agreement: String?
    /// Agencies the act concerns (parties, registrants), for auditors' filters.
    public var agencies: [String]
    /// Counts, digests, reasons: whatever proves what happened.
    public var details: [String: CanonicalJSON]

    public init(actor: String, action: String, subject: String, agreement: String? = nil, agencies: [String] = [], details: [String: CanonicalJSON] = [:]) {
        self.actor = actor
        self.action = action
        self.subject = subject
        self.agreement = agreement
        self.agencies = agencies
        self.details = details
    }
}
