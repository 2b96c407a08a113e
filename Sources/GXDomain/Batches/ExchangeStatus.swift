import Foundation

/// Where an agreement's exchange stands on the morning after, as `gx exchange report` tells it: a consumer
/// that simply has not run since its provider's pass is told apart from one that ran and fell short.
public enum ExchangeStatus: String, Codable, Sendable {
    /// Every batch has the consumer's receipt.
    case acknowledged
    /// Batches arrived in the agreement's current period after the consumer's last receipt: it has not run
    /// since its provider's pass.
    case awaitingConsumer = "awaiting consumer"
    /// The consumer acknowledged batches after the oldest unacknowledged one arrived: it ran and stopped
    /// short of it (a failure, or a run still going).
    case behind
    /// A batch from an earlier period is still unacknowledged: the agreed cadence was missed.
    case overdue
    /// A verification request (比对核实) has no answer yet: the provider has not run since it arrived.
    case awaitingProvider = "awaiting provider"

    public var isFailure: Bool { self == .behind || self == .overdue }

    /// The status of one agreement from its resource's batches and the consumer's receipts, with the time
    /// the oldest unacknowledged batch was accepted. Receipt times are the consumer's own clock.
    public static func of(batches: [ExchangeAPI.BatchView], receipts: [BatchReceipt], frequency: UpdateCycle,
                          now: Date) -> (status: ExchangeStatus, pendingSince: String?) {
        let acknowledged = Set(receipts.map(\.sequence))
        guard let oldest = batches.first(where: { !acknowledged.contains($0.manifest.sequence) }) else { return (.acknowledged, nil) }
        let arrived = Timestamp.date(from: oldest.acceptedAt) ?? .distantPast
        if arrived < frequency.periodStart(containing: now) { return (.overdue, oldest.acceptedAt) }
        let ranSince = receipts.contains { (Timestamp.date(from: $0.appliedAt) ?? .distantPast) > arrived }
        return (ranSince ? .behind : .awaitingConsumer, oldest.acceptedAt)
    }
}
