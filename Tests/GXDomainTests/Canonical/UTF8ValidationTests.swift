@testable import GXDomain
import Testing

@Suite("Checking UTF-8 without making a String")
struct UTF8ValidationTests {
    static func isValid(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer(UTF8Validation.isValid)
    }

    @Test("well-formed text of every sequence length is accepted")
    func wellFormed() {
        for text in ["", "abc", "é", "张三", "北京市东城区", "😀", "\u{7F}\u{80}\u{7FF}\u{800}\u{FFFF}\u{10000}\u{10FFFF}"] {
            #expect(Self.isValid(Array(text.utf8)), "\(text)")
        }
    }

    @Test("overlong forms, surrogates, code points above U+10FFFF and cut-off sequences are refused", arguments: [
        [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x9F, 0xBF], [0xF0, 0x8F, 0xBF, 0xBF],  // overlong
        [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],  // UTF-16 surrogates
        [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFF],  // beyond U+10FFFF
        [0x80], [0xE5, 0xBC], [0x61, 0xE5], [0xE5, 0x41, 0xA0], [0xF0, 0x9F, 0x98],  // stray or cut off
    ] as [[UInt8]])
    func illFormed(bytes: [UInt8]) {
        #expect(!Self.isValid(bytes))
    }

    @Test("it decides as the standard library does, on random bytes near UTF-8's boundaries")
    func agreesWithStandardLibrary() {
        // Bytes drawn mostly from the boundary values of each sequence position, so that short random
        // arrays often come close to being well-formed.
        let pool: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF,
                             0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF]
        var generator = IdentifierTestRandom(seed: 20261201)
        var accepted = 0
        for _ in 0..<50_000 {
            let bytes = (0..<Int.random(in: 1...6, using: &generator)).map { _ in pool.randomElement(using: &generator)! }
            let expected = String(validating: bytes, as: UTF8.self) != nil
            #expect(Self.isValid(bytes) == expected, "\(bytes.map { String($0, radix: 16) })")
            if expected { accepted += 1 }
        }
        #expect(accepted > 1_000)
    }

    @Test("a byte that breaks UTF-8 is found at any place in a long run of ASCII, as the standard library finds it")
    func longASCIIRuns() {
        for length in 0..<40 {
            for position in 0...length {
                for bad: [UInt8] in [[0x80], [0xE5, 0x41], [0xFF], [0xC3, 0xA9]] {
                    var bytes = [UInt8](repeating: 0x41, count: length)
                    bytes.insert(contentsOf: bad, at: position)
                    #expect(Self.isValid(bytes) == (String(validating: bytes, as: UTF8.self) != nil), "\(bytes)")
                }
            }
        }
    }
}
