/// What a consumer declares about one request of a verification (比对核实) agreement, and signs with its
/// SM2 key: the records it asks the provider to check — key items first, then the items to check, in the
/// catalogue's order — sorted by key, so the provider answers by merging them with its sorted register.
public struct VerificationRequest: Codable, Sendable, Hashable {
    public var agreementID: String
    public var consumer: String
    public var provider: String
    public var resourceCode: String
    public var schemaVersion: String
    /// Per agreement, gap-free, starting at 1.
    public var sequence: Int64
    /// The order of values in every record: the entry's key items, then the items to check.
    public var items: [String]
    /// How many of `items` are key items (they come first).
    public var keyCount: Int
    public var requests: Int64
    public var records: PayloadDigest
    public var wire: PayloadDigest
    public var createdAt: String

    public init(agreementID: String, consumer: String, provider: String, resourceCode: String, schemaVersion: String, sequence: Int64,
                items: [String], keyCount: Int, requests: Int64, records: PayloadDigest, wire: PayloadDigest, createdAt: String) {
        self.agreementID = agreementID
        self.consumer = consumer
        self.provider = provider
        self.resourceCode = resourceCode
        self.schemaVersion = schemaVersion
        self.sequence = sequence
        self.items = items
        self.keyCount = keyCount
        self.requests = requests
        self.records = records
        self.wire = wire
        self.createdAt = createdAt
    }

    /// The items checked in each record (those after the key).
    public var checkedItems: [String] { Array(items.dropFirst(keyCount)) }

    enum CodingKeys: String, CodingKey {
        case agreementID = "agreement", consumer, provider, resourceCode = "resource", schemaVersion = "schema_version", sequence
        case items, keyCount = "key_count", requests, records, wire, createdAt = "created_at"
    }
}

/// What a provider declares about its answer to one request, and signs: per request record, in the
/// request's order, the key the consumer sent, `found`/`not_found`, and `match`/`mismatch` per checked
/// item (null where the request left the item empty or the key was not found) — never a register value.
public struct VerificationAnswer: Codable, Sendable, Hashable {
    public var agreementID: String
    public var provider: String
    public var consumer: String
    public var resourceCode: String
    public var sequence: Int64
    /// SM3 of the consumer's canonical request manifest: the request this answers.
    public var requestSM3: String
    /// The values of every answer record: the key items, `found`, then the checked items.
    public var items: [String]
    public var requests: Int64
    public var found: Int64
    /// Mismatches per checked item, in the checked items' order.
    public var mismatches: [ItemCount]
    public var records: PayloadDigest
    public var wire: PayloadDigest
    public var createdAt: String

    public init(agreementID: String, provider: String, consumer: String, resourceCode: String, sequence: Int64, requestSM3: String,
                items: [String], requests: Int64, found: Int64, mismatches: [ItemCount], records: PayloadDigest, wire: PayloadDigest,
                createdAt: String) {
        self.agreementID = agreementID
        self.provider = provider
        self.consumer = consumer
        self.resourceCode = resourceCode
        self.sequence = sequence
        self.requestSM3 = requestSM3
        self.items = items
        self.requests = requests
        self.found = found
        self.mismatches = mismatches
        self.records = records
        self.wire = wire
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case agreementID = "agreement", provider, consumer, resourceCode = "resource", sequence, requestSM3 = "request_sm3"
        case items, requests, found, mismatches, records, wire, createdAt = "created_at"
    }
}

/// A count per information item (mismatches of a verification).
public struct ItemCount: Codable, Sendable, Hashable {
    public var item: String
    public var count: Int64

    public init(item: String, count: Int64) {
        self.item = item
        self.count = count
    }
}

/// The consumer's signed acknowledgement that it applied an answer to its sink.
public struct VerificationReceipt: Codable, Sendable, Hashable {
    public var agreementID: String
    public var consumer: String
    public var sequence: Int64
    /// The answer's records digest, as the consumer recomputed it.
    public var answerRecordsSM3: String
    public var requests: Int64
    public var found: Int64
    public var appliedAt: String

    public init(agreementID: String, consumer: String, sequence: Int64, answerRecordsSM3: String, requests: Int64, found: Int64, appliedAt: String) {
        self.agreementID = agreementID
        self.consumer = consumer
        self.sequence = sequence
        self.answerRecordsSM3 = answerRecordsSM3
        self.requests = requests
        self.found = found
        self.appliedAt = appliedAt
    }

    enum CodingKeys: String, CodingKey {
        case agreementID = "agreement", consumer, sequence, answerRecordsSM3 = "answer_records_sm3", requests, found
        case appliedAt = "applied_at"
    }
}
