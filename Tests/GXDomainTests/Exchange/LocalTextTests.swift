import Testing
@testable import GXDomain

@Suite("Local text clean-ups")
struct LocalTextTests {
    @Test("white space of every kind is trimmed from both ends, inner white space stays",
          arguments: [
              (" 张三 ", "张三"), ("\t110101\r", "110101"), ("\u{3000}北京市\u{3000}", "北京市"), ("\u{00A0}ab\u{00A0}", "ab"),
              ("\u{2003}x\u{205F}", "x"), ("\u{1680}y\u{0085}", "y"), ("张 三", "张 三"), ("  ", ""), ("", ""),
          ])
    func trimmed(input: String, expected: String) {
        #expect(LocalText.trimmed(input) == expected)
    }

    @Test("values that start and end with letters, digits or ideographs come back untouched",
          arguments: ["110101198001011234", "张三", "北京市东城区东华门街道1号", "a", "Ｘ", "ａ b"])
    func untouched(input: String) {
        #expect(LocalText.trimmed(input) == input)
    }

    @Test("cleaning in one step equals half-width conversion then trimming, for every combination asked",
          arguments: [" 张三 ", "\u{3000}北京市\u{3000}", "ＡＢ１２\u{3000}", "\u{3000}", "110101198001011234", "张三", "", "ａ b ", "〇一二"])
    func cleanedEqualsBothSteps(input: String) {
        for halfwidth in [false, true] {
            for trim in [false, true] {
                var expected = input
                if halfwidth { expected = LocalText.halfwidth(expected) }
                if trim { expected = LocalText.trimmed(expected) }
                #expect(LocalText.cleaned(input, halfwidth: halfwidth, trim: trim) == expected, "halfwidth \(halfwidth), trim \(trim)")
            }
        }
    }
}
