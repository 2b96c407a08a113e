/// The first place an audit chain fails to verify, and how.
public struct AuditBreak: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// The entry's content does not match its hash: edited.
        case hashMismatch = "hash_mismatch"
        /// The entry does not point at the previous one: an entry was removed, inserted or moved.
        case brokenLink = "broken_link"
        /// Sequence numbers are not consecutive: removed, inserted or reordered.
        case sequenceGap = "sequence_gap"
        /// A signed checkpoint disagrees with the chain at its sequence number: the chain was rewritten.
        case checkpointMismatch = "checkpoint_mismatch"
        /// The chain ends before the last signed checkpoint: the tail was cut off.
        case truncated
        /// A checkpoint's signature does not verify with the hub key.
        case badCheckpointSignature = "bad_checkpoint_signature"
        /// The input could not be read as entries.
        case unreadable
        /// The agency index the hub answers `?agency=` from disagrees with the agencies the chained entries name:
        /// a missing row hides an entry from that agency's view, an extra one files it where it does not belong.
        case indexMismatch = "index_mismatch"
    }

    public let seq: Int64
    public let kind: Kind
    public let message: String

    public init(seq: Int64, kind: Kind, message: String) {
        self.seq = seq
        self.kind = kind
        self.message = message
    }

    public var description: String { "entry \(seq): \(kind.rawValue): \(message)" }
}
