/// Who moves the data: the provider pushes batches, or the consumer pulls them.
public enum DeliveryMethod: String, Codable, Sendable, CaseIterable {
    case push
    case pull
}
