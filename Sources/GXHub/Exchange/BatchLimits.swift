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

    public init(maximumWireBytes: Int64 = 8 << 30, maximumRecordBytes: Int64 = 64 << 30, retention: TimeInterval = 7 * 86_400,
                concurrentProjections: Int = 64) {
        self.maximumWireBytes = maximumWireBytes
        self.maximumRecordBytes = maximumRecordBytes
        self.retention = retention
        self.concurrentProjections = concurrentProjections
    }
}
