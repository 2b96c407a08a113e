import Foundation
import Synchronization

/// How many bytes of spooled batches a provider's pass keeps in memory for its push, beside their sealed
/// spool files.
///
/// A batch pushed as soon as it is spooled would otherwise be read back from the file it was just sealed
/// into — the tag checked, the SM4 undone — which cost the provider about as much as sealing it. The spool
/// file stays the durable copy (a crash resends from it); the memory copy only spares the normal push that
/// reading. When the hub is slower than the pass, batches beyond the allowance are pushed from their files,
/// so memory stays bounded whatever the source's size.
final class SpoolMemory: Sendable {
    /// 8 MiB: one batch of 100 000 records, the one being pushed while the next is spooled. Twice that cost a
    /// 10 M-row load 20–45 MB of peak memory (pieces allocated on the spooling thread, freed on the pushing
    /// one), too close to the 256 MB aim. `GX_SPOOL_MEMORY=BYTES` sets another (0: every batch from its file).
    static let perPass = getenv("GX_SPOOL_MEMORY").flatMap { Int(String(cString: $0)) }.map { max(0, $0) } ?? 8 << 20

    private let total: Int
    private let held = Mutex(0)

    init(total: Int = SpoolMemory.perPass) {
        self.total = total
    }

    /// Takes `bytes` of the allowance if there is room.
    func take(_ bytes: Int) -> Bool {
        held.withLock { held in
            guard held + bytes <= total else { return false }
            held += bytes
            return true
        }
    }

    func give(_ bytes: Int) {
        held.withLock { $0 -= bytes }
    }

    /// Bytes held now (tests).
    var inUse: Int { held.withLock { $0 } }
}
