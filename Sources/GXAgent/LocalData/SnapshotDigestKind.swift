import GXCrypto

/// Which digest a snapshot file keeps for each row. Snapshots written before SHA-256 keep SM3 and stay so
/// until a `--full` pass (or a first pass) writes a new one: a pass must digest its rows as the snapshot
/// it is compared with did.
public enum SnapshotDigestKind: Sendable, Equatable {
    case sm3
    case sha256

    /// The digest of a row's canonical line.
    public func digest(_ line: [UInt8]) -> [UInt8] {
        switch self {
        case .sm3: SM3.digest(line).bytes
        case .sha256: SHA256.digest(line)
        }
    }

    /// A digester for many rows on one thread; its digests equal `digest`'s.
    func digester() -> LineDigester {
        switch self {
        case .sm3: LineDigester(.sm3)
        case .sha256: LineDigester(.sha256)
        }
    }

    /// The first eight bytes of a file of this kind.
    var magic: [UInt8] {
        switch self {
        case .sm3: Array("GXSNAP01".utf8)
        case .sha256: Array("GXSNAP02".utf8)
        }
    }

    init?(magic: [UInt8]) {
        switch magic {
        case Self.sm3.magic: self = .sm3
        case Self.sha256.magic: self = .sha256
        default: return nil
        }
    }
}
