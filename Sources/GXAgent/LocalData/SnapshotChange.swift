/// How one source row compares with the last accepted snapshot of its resource.
public enum SnapshotChange: Sendable, Equatable {
    /// The key was not in the snapshot.
    case inserted
    /// The key was there with another digest.
    case updated
    /// Same key, same digest: nothing to send.
    case unchanged
}
