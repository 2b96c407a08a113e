import GXDomain
import Testing

@Suite struct DivisionCodeTests {
    @Test(arguments: ["110000", "110101", "440106", "441900", "429004", "650000", "710000", "810000", "820000"])
    func validCodes(_ value: String) throws {
        try DivisionCode.validate(value)
        #expect(IdentifierValidator.violation(of: value, as: .division) == nil)
    }

    @Test(arguments: ["000000", "100000", "160000", "990000", "830000", "090101"])
    func unknownProvincesAreRejected(_ value: String) {
        #expect(DivisionCode.violation(of: value)?.rule
            == "province: \(value) does not start with a GB/T 2260 province code (11–15, 21–23, 31–37, 41–46, 50–54, 61–65, 71, 81, 82)")
    }

    @Test func lengthAndCharset() {
        #expect(DivisionCode.violation(of: "44010")?.rule == "length: expected 6 digits, got 5")
        #expect(DivisionCode.violation(of: "4401060")?.rule == "length: expected 6 digits, got 7")
        #expect(DivisionCode.violation(of: "44O106")?.rule == "charset: 'O' at position 3 is not allowed (a GB/T 2260 code is 6 digits)")
        #expect(DivisionCode.violation(of: "44-0106")?.rule == "charset: '-' at position 3 is not allowed (only digits)")
    }
}
