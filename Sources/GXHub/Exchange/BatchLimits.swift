import Foundation

/// Bounds on what one pushed batch may occupy, so a broken or hostile agent cannot fill the hub's disk,
/// and how long acknowledged payloads are kept.
public struct BatchLimits: Sendable {
    /// Compressed bytes on the wire.
    public var maximumWireBytes: Int64
    /// Canonical record bytes after inflating (guards against decompression bombs).
    public var maximumRecordBytes: Int64

    /// How long payloads stay after every entitled consumer has acknowledged them (for re-pulls and
    /// inspection); then the files go and the manifests, receipts and audit entries stay.
    public var retention: TimeInterval

    /// Delivery projections written at once by the whole hub (about 0.4 MB each): see `ProjectionBudget`.
    public var concurrentProjections: Int

    /// Bytes of just-written deliveries, verification requests and answers the hub keeps in memory to serve
    /// them without opening their seals again (see `RecentPayloads`); 0 reads every payload from its store.
    public var recentPayloadBytes: Int

    public init(maximumWireBytes: Int64 = 8 << 30, maximumRecordBytes: Int64 = 64 << 30, retention: TimeInterval = 7 * 86_400,
                concurrentProjections: Int = 64, recentPayloadBytes: Int = 48 << 20) {
        self.maximumWireBytes = maximumWireBytes
        self.maximumRecordBytes = maximumRecordBytes
        self.retention = retention
        self.concurrentProjections = concurrentProjections
        self.recentPayloadBytes = recentPayloadBytes
    }
}
