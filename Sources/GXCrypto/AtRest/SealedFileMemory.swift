import Synchronization

/// How many bytes of sealed files a process may hold in memory at once to open them in one pass.
///
/// Opening a sealed file streams it twice — the tag is checked over the whole file before a byte is used,
/// then again as the bytes are decrypted, so a file changed in between is refused — which costs a second
/// HMAC-SM3 over every byte. A file read into memory while its tag is checked cannot change before it is
/// decrypted, so one pass suffices; the allowance bounds what that holds, whatever number of files a hub
/// serves at once (beyond it, files are streamed as before).
public final class SealedFileMemory: Sendable {
    /// The process's allowance: 64 MiB, at most 16 MiB of it for one file (a batch of 100 000 records is
    /// about 7 MB deflated).
    public static let shared = SealedFileMemory(total: 64 << 20, perFile: 16 << 20)

    public let total: Int
    public let perFile: Int
    private let held = Mutex(0)

    public init(total: Int, perFile: Int) {
        self.total = total
        self.perFile = perFile
    }

    /// Takes `bytes` of the allowance if a file of that size may be held now.
    public func take(_ bytes: Int) -> Bool {
        guard bytes <= perFile else { return false }
        return held.withLock { held in
            guard held + bytes <= total else { return false }
            held += bytes
            return true
        }
    }

    public func give(_ bytes: Int) {
        held.withLock { $0 -= bytes }
    }

    /// Bytes held now (tests).
    public var inUse: Int { held.withLock { $0 } }
}
