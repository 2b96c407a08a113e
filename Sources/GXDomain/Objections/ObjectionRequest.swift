/// What a consumer says when it raises an objection on a record it received: under which agreement, which
/// record (its key values, in the catalogue's key order), which items are wrong, what is wrong, and why it
/// believes so.
public struct ObjectionRequest: Codable, Sendable, Hashable {
    public var agreement: String
    /// The key items' values of the disputed record, in the order of the resource's key items.
    public var key: [String]
    /// The disputed items; each must be an item of the agreement.
    public var items: [String]
    /// What is wrong with the record.
    public var problem: String
    /// Evidence: where the consumer saw the right value (a document, a register, a case number).
    public var evidence: String?

    public init(agreement: String, key: [String], items: [String], problem: String, evidence: String? = nil) {
        self.agreement = agreement
        self.key = key
        self.items = items
        self.problem = problem
        self.evidence = evidence
    }
}
