import GXCrypto
import GXDomain

/// The digest of a source row exactly as it was read — every value's bytes, and where each ends or is
/// absent — so a pass can recognise a row it has seen before without mapping it again (`SourceRowRecall`).
/// The first 16 bytes of SHA-256: a changed row could pass for an unchanged one only through a collision.
struct SourceRowDigest: Sendable, Hashable {
    let first: UInt64
    let second: UInt64

    init(first: UInt64, second: UInt64) {
        self.first = first
        self.second = second
    }

    /// The digest of `row` by `digester`, which must digest with SHA-256.
    init(of row: RowBytes, by digester: LineDigester) {
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        row.bytes.withUnsafeBytes { bytes in
            row.ends.withUnsafeBytes { ends in
                withUnsafeMutableBytes(of: &words) { digester.digest(bytes, ends, into: $0) }
            }
        }
        first = words.0
        second = words.1
    }

    static let byteCount = 16
}
