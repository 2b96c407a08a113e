/// A payload being written under its provisional name: bytes go out as they come (sealed when the store was
/// given a key), so memory stays flat whatever the payload's size.
///
/// Not Sendable: one payload, written by one task at a time.
public protocol PayloadWriter: AnyObject {
    /// The provisional name, for `PayloadStore.keeping`.
    var name: String { get }
    func write(_ bytes: some Sequence<UInt8>) async throws
    /// Writes the rest (and the seal's tag) and makes the payload durable; only then may it be kept.
    func finish() async throws
    /// Drops an unfinished payload.
    func abandon()
}
