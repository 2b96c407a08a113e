/// What a provider declares about one batch, and signs with its SM2 key.
///
/// The hub accepts the batch only if the records it receives match every count and digest here, so the
/// signature binds the provider to exactly those records.
public struct BatchManifest: Codable, Sendable, Hashable {
    public var provider: String
    public var resourceCode: String
    public var schemaVersion: String
    /// Per-resource, gap-free, starting at 1.
    public var sequence: Int64
    /// The order of values in every record.
    public var items: [String]
    public var changes: ChangeRange
    public var counts: BatchCounts
    /// Records held back at the provider, by item and rule: the data-quality report.
    public var quarantine: [QualityFinding]
    public var records: PayloadDigest
    public var wire: PayloadDigest
    public var createdAt: String
    /// True on the last batch of a provider's pass, so a consumer following the pass knows when to stop.
    /// Absent otherwise: manifests signed before the mark existed keep their canonical bytes.
    public var endsPass: Bool?

    public init(provider: String, resourceCode: String, schemaVersion: String, sequence: Int64, items: [String],
                changes: ChangeRange, counts: BatchCounts, quarantine: [QualityFinding], records: PayloadDigest,
                wire: PayloadDigest, createdAt: String, endsPass: Bool? = nil) {
        self.provider = provider
        self.resourceCode = resourceCode
        self.schemaVersion = schemaVersion
        self.sequence = sequence
        self.items = items
        self.changes = changes
        self.counts = counts
        self.quarantine = quarantine
        self.records = records
        self.wire = wire
        self.createdAt = createdAt
        self.endsPass = endsPass
    }

    /// Whether this batch closes its provider's pass.
    public var isLastOfPass: Bool { endsPass == true }

    enum CodingKeys: String, CodingKey {
        case provider, resourceCode = "resource", schemaVersion = "schema_version", sequence, items, changes, counts
        case quarantine, records, wire, createdAt = "created_at", endsPass = "ends_pass"
    }
}

/// Which changes a batch carries: a cursor range, or a snapshot generation's diff (or a full resend).
public struct ChangeRange: Codable, Sendable, Hashable {
    public enum Mode: String, Codable, Sendable { case cursor, snapshot }
    public var mode: Mode
    /// Cursor mode: the position after the last row of the previous batch and of this one.
    public var cursorFrom: String?
    public var cursorTo: String?
    /// Snapshot mode: the provider's pass number; a pass may span several batches.
    public var generation: Int64?
    /// A full resend (initial load or `--full`) rather than a delta.
    public var full: Bool

    public init(mode: Mode, cursorFrom: String? = nil, cursorTo: String? = nil, generation: Int64? = nil, full: Bool) {
        self.mode = mode
        self.cursorFrom = cursorFrom
        self.cursorTo = cursorTo
        self.generation = generation
        self.full = full
    }

    enum CodingKeys: String, CodingKey {
        case mode, cursorFrom = "cursor_from", cursorTo = "cursor_to", generation, full
    }
}

public struct BatchCounts: Codable, Sendable, Hashable {
    public var upserts: Int64
    public var deletes: Int64
    public var quarantined: Int64

    public init(upserts: Int64 = 0, deletes: Int64 = 0, quarantined: Int64 = 0) {
        self.upserts = upserts
        self.deletes = deletes
        self.quarantined = quarantined
    }

    public var records: Int64 { upserts + deletes }
}

/// SM3 and size of a byte stream: the canonical records, or the deflated bytes on the wire.
public struct PayloadDigest: Codable, Sendable, Hashable {
    /// Lowercase hex SM3.
    public var sm3: String
    public var bytes: Int64

    public init(sm3: String, bytes: Int64) {
        self.sm3 = sm3
        self.bytes = bytes
    }
}

/// How many records broke one rule of the catalogue schema.
public struct QualityFinding: Codable, Sendable, Hashable {
    public var item: String
    public var rule: String
    public var count: Int64

    public init(item: String, rule: String, count: Int64) {
        self.item = item
        self.rule = rule
        self.count = count
    }
}
