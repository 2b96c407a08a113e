#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import GXCrypto
import GXDomain

/// What every row of a resource's last accepted pass became — its source digest, and its key (or that it
/// was not kept) — in source order, in `<resource>.rows` beside the snapshot.
///
/// A night's export is mostly last night's rows in last night's order, so the next pass recognises most
/// rows by their bytes (`SourceRowRecall`) and maps, checks and encodes only the rest: mapping is a pure
/// function of a row's bytes and the rules, and the memory is bound to those rules by its fingerprint. It
/// is a cache: when it is missing, damaged or made under other rules, every row is mapped, as before.
///
/// It moves with the snapshot: written in the pass directory, renamed into place by `SnapshotDiff.commit`
/// after the snapshot (the old one removed first, so a crash between the two leaves none), and removed when
/// anything else changes the snapshot (a fold). So every row it recalls is in the snapshot, unchanged.
/// Created 0600 like the snapshot: keys are personal identifiers.
///
/// The format: the magic `GXROWS02`, the 32-byte fingerprint, then per row the 16-byte `SourceRowDigest`,
/// the key's length as a little-endian UInt32 (`notKept` for a row that was quarantined) and the key's
/// bytes (none for a row not kept). A recalled row is in the snapshot unchanged, so its snapshot digest is
/// never needed here (`GXROWS01` kept it, 32 bytes a row for nothing; such a memory is not recalled).
enum SourceRowMemory {
    static let magic = Array("GXROWS02".utf8)
    static let fingerprintLength = 32
    static var headerLength: Int { magic.count + fingerprintLength }
    static let notKept = UInt32.max

    /// The memory file beside `snapshot` (`….snapshot` → `….rows`).
    static func path(snapshot: String) -> String {
        (snapshot.hasSuffix(".snapshot") ? String(snapshot.dropLast(".snapshot".count)) : snapshot) + ".rows"
    }

    /// The rules a provider maps a resource's rows by: the agent's configuration text (mappings, code tables,
    /// defaults), the catalogue entry (types, patterns, code lists), the source's columns and the agreed
    /// items, and this build of `gx` (a new build may map differently, so it starts afresh). Any change means
    /// a different fingerprint, and every row is mapped again.
    static func rules(configText: String, entry: CatalogueEntry, columns: [String], items: [String]) -> [UInt8] {
        var parts: [UInt8] = []
        func add(_ text: String) {
            let bytes = Array(text.utf8)
            withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { parts.append(contentsOf: $0) }
            parts.append(contentsOf: bytes)
        }
        add(executableIdentity)
        add(configText)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // An entry that cannot be encoded (it always can) gives a fingerprint no memory has.
        add((try? encoder.encode(entry)).map { String(decoding: $0, as: UTF8.self) } ?? UUID().uuidString)
        add(columns.joined(separator: "\u{1F}"))
        add(items.joined(separator: "\u{1F}"))
        return SHA256.digest(parts)
    }

    /// The fingerprint a memory of `rules` holds when its pass digested rows as `kind`.
    static func fingerprint(rules: [UInt8], kind: SnapshotDigestKind) -> [UInt8] {
        SHA256.digest(rules + kind.magic)
    }

    /// The running executable's size and modification time: a new build of `gx` is another identity.
    /// Unknown (a fresh value each run, so nothing is recalled) when it cannot be read.
    private static let executableIdentity: String = {
        var status = stat()
        guard stat("/proc/self/exe", &status) == 0 else { return UUID().uuidString }
        return "\(status.st_size)/\(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec)/\(status.st_ino)"
    }()
}

/// A row of the last pass, as the memory recalls it.
struct RememberedRow: Sendable {
    var source: SourceRowDigest
    /// The row's key (joined by `SnapshotKey`), nil for a row that was not kept.
    var key: String?
}
