#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The provider's register read through its mapping and sorted by key for some items — for one request, or,
/// while following, before the request arrives, so the consumer's preparing its records and the provider's
/// preparing its register take the same minutes of the night instead of one after the other.
///
/// A register read ahead answers a request only if it holds exactly the request's items (so rows are
/// validated as they would be for that request) and its CSV export is the file it read, unchanged: the
/// answer is always about the register as its source holds it when the request is answered.
final class PreparedRegister {
    let sorted: SortedRecords
    /// Key items, then the items compared.
    let items: [String]
    let keyCount: Int
    let collected: VerificationRecords.Outcome
    /// The CSV export as it was read (nil: a database source, whose reading proves nothing later).
    private let export: ExportState?

    /// A CSV file's identity and version: the same inode, size and modification time mean it was not rewritten.
    struct ExportState: Equatable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modified: Int
        var modifiedNanoseconds: Int

        init?(path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
            size = Int64(info.st_size)
            modified = Int(info.st_mtim.tv_sec)
            modifiedNanoseconds = Int(info.st_mtim.tv_nsec)
        }
    }

    init(sorted: SortedRecords, items: [String], keyCount: Int, collected: VerificationRecords.Outcome, export: ExportState?) {
        self.sorted = sorted
        self.items = items
        self.keyCount = keyCount
        self.collected = collected
        self.export = export
    }

    /// Whether this register, read ahead, may answer a request for `items` (`keyCount` of them the key) from
    /// the export at `path` now.
    func answers(items: [String], keyCount: Int, exportPath: String) -> Bool {
        guard items == self.items, keyCount == self.keyCount, let export else { return false }
        return ExportState(path: exportPath) == export
    }

    /// Removes the sorted runs.
    func discard() {
        sorted.discard()
    }
}
