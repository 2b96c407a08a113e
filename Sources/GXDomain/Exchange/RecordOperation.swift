/// What a record in a batch does at the consumer.
///
/// Deletes travel as records rather than as a separate list so that one ordered stream carries every
/// change and the consumer applies them in the order the provider saw them.
public enum RecordOperation: Sendable, Hashable {
    /// Insert the record, or replace the one with the same key.
    case upsert
    /// Remove the record with this key; only key values are present.
    case delete
}

extension RecordOperation {
    /// The one-letter code in the canonical encoding: `"u"` or `"d"`.
    public var code: String {
        switch self {
        case .upsert: "u"
        case .delete: "d"
        }
    }

    @inline(__always)
    var codeByte: UInt8 {
        switch self {
        case .upsert: UInt8(ascii: "u")
        case .delete: UInt8(ascii: "d")
        }
    }
}
