import GXDomain
import GXTestSupport
import Testing
@testable import GXAgent

@Suite("Snapshot keys from bytes")
struct SnapshotKeyBytesTests {
    @Test("a key made from the values' bytes is the key made from their text, separators and escapes included")
    func agreesWithText() {
        let pool: [String?] = [nil, "", "34052419800101001X", "张三", "a\u{1F}b", "\u{1B}", "\u{1F}\u{1B}\u{1F}", "😀", "e\u{301}", "x\u{1F}"]
        var random = SeededRandom(seed: 0x1F1B)
        for _ in 0..<5000 {
            let values = (0..<3).map { _ in pool.randomElement(using: &random)! }
            for indices in [[0], [2], [1, 0], [0, 1, 2], [2, 0]] {
                #expect(SnapshotKey.encode(RowBytes(values), at: indices) == SnapshotKey.encode(values, at: indices), "\(values) at \(indices)")
            }
        }
    }
}
