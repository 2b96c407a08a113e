/// Who moves the data: the provider pushes batches, or the consumer pulls them — or no register moves at
/// all: under `verification` (比对核实) the consumer sends the records it holds and the provider answers
/// found/not found and match/mismatch per agreed item, never a value.
public enum DeliveryMethod: String, Codable, Sendable, CaseIterable {
    case push
    case pull
    case verification

    /// Whether the provider's batches flow to the consumer under this method (not under verification).
    public var deliversBatches: Bool { self != .verification }
}
