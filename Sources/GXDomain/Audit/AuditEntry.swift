/// One link of the tamper-evident audit chain.
///
/// `hash` = SM3(previous hash ‖ canonical bytes of every other field), so editing, removing,
/// inserting or reordering any entry breaks every link after it.
public struct AuditEntry: Codable, Sendable, Hashable {
    public var seq: Int64
    public var time: String
    public var actor: String
    public var action: String
    public var subject: String
    public var agreement: String?
    public var agencies: [String]
    public var details: [String: CanonicalJSON]
    public var prevHash: String
    public var hash: String

    public init(seq: Int64, time: String, actor: String, action: String, subject: String, agreement: String?,
                agencies: [String], details: [String: CanonicalJSON], prevHash: String, hash: String) {
        self.seq = seq
        self.time = time
        self.actor = actor
        self.action = action
        self.subject = subject
        self.agreement = agreement
        self.agencies = agencies
        self.details = details
        self.prevHash = prevHash
        self.hash = hash
    }

    enum CodingKeys: String, CodingKey {
        case seq, time, actor, action, subject, agreement, agencies, details, prevHash = "prev_hash", hash
    }

    /// The bytes the hash covers, besides the previous hash.
    public var canonicalBody: [UInt8] {
        var object: [String: CanonicalJSON] = [
            "seq": .integer(seq),
            "time": .string(time),
            "actor": .string(actor),
            "action": .string(action),
            "subject": .string(subject),
            "agencies": .array(agencies.map { .string($0) }),
            "details": .object(details),
        ]
        if let agreement { object["agreement"] = .string(agreement) }
        return CanonicalJSON.object(object).canonicalBytes
    }
}
