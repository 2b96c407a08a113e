/// A store shared by hub processes that tells each of them when any of them accepted a batch, so waiting
/// consumers are answered at once instead of polling.
public protocol AcceptedBatchNotices: Sendable {
    /// Calls `accepted` with the resource code of every batch accepted from now on, until cancelled or the
    /// connection fails (then throws).
    func listenForAcceptedBatches(_ accepted: @escaping @Sendable (String) -> Void) async throws
}
