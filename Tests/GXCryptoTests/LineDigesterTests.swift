import GXCrypto
import Testing

@Suite("A line digester: one context for many short messages")
struct LineDigesterTests {
    /// Lines of every length around SM3's and SHA-256's 64-byte block, and the empty line.
    static let lines: [[UInt8]] = (0..<200).map { length in (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ length) } }

    static func digest(_ line: [UInt8], by digester: LineDigester) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: LineDigester.byteCount)
        line.withUnsafeBytes { line in output.withUnsafeMutableBytes { digester.digest(line, into: $0) } }
        return output
    }

    @Test("each SM3 digest, one after another in one context, equals the one-shot SM3")
    func sm3MatchesOneShot() {
        let digester = LineDigester(.sm3)
        for line in Self.lines {
            #expect(Self.digest(line, by: digester) == SM3.digest(line).bytes, "line of \(line.count) bytes")
        }
    }

    @Test("each SHA-256 digest, one after another in one context, equals the one-shot SHA-256")
    func sha256MatchesOneShot() {
        let digester = LineDigester(.sha256)
        for line in Self.lines {
            #expect(Self.digest(line, by: digester) == SHA256.digest(line), "line of \(line.count) bytes")
        }
    }
}
