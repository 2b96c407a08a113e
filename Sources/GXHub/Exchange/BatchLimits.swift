/// Bounds on what one pushed batch may occupy, so a broken or hostile agent cannot fill the hub's disk.
public struct BatchLimits: Sendable {
    /// Compressed bytes on the wire.
    public var maximumWireBytes: Int64
    /// Canonical record bytes after inflating (guards against decompression bombs).
    public var maximumRecordBytes: Int64

    public init(maximumWireBytes: Int64 = 8 << 30, maximumRecordBytes: Int64 = 64 << 30) {
        self.maximumWireBytes = maximumWireBytes
        self.maximumRecordBytes = maximumRecordBytes
    }
}
