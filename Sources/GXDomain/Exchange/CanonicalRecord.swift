/// One record of a batch in the catalogue schema: values in the batch's item order, `nil` = absent.
///
/// Values are carried as text in their canonical form (see ``RecordValidator``) so that a record has
/// exactly one encoding and the SM3 of a batch means the same thing at provider, hub and consumer.
public struct CanonicalRecord: Sendable, Hashable {
    public var operation: RecordOperation
    public var values: [String?]

    public init(operation: RecordOperation, values: [String?]) {
        self.operation = operation
        self.values = values
    }
}
