import GXDomain
import Testing

@Suite struct RealEstateUnitNumberTests {
    static let example = "440106001001GB00001F00010001"

    @Test(arguments: [example, "110105002003JC00123W00000000", "441900001001ZB99999L12345678", "440106001001GX00001Q00000001"])
    func validNumbers(_ value: String) throws {
        try RealEstateUnitNumber.validate(value)
        #expect(IdentifierValidator.violation(of: value, as: .realEstateUnit) == nil)
    }

    @Test func lengthAndCase() {
        #expect(RealEstateUnitNumber.violation(of: String(Self.example.dropLast()))?.rule == "length: expected 28 characters, got 27")
        #expect(RealEstateUnitNumber.violation(of: Self.example + "1")?.rule == "length: expected 28 characters, got 29")
        #expect(RealEstateUnitNumber.violation(of: "440106001001gb00001f00010001")?.rule
            == "charset: 'g' at position 13 is not allowed (letters must be uppercase)")
    }

    @Test func eachPartNamesItsRule() {
        func rule(replacing position: Int, with character: Character) -> String? {
            var characters = Array(Self.example)
            characters[position - 1] = character
            return RealEstateUnitNumber.violation(of: String(characters))?.rule
        }
        #expect(rule(replacing: 1, with: "0")
            == "county code (positions 1–6): province: 040106 does not start with a GB/T 2260 province code (11–15, 21–23, 31–37, 41–46, 50–54, 61–65, 71, 81, 82)")
        #expect(rule(replacing: 4, with: "A")
            == "county code (positions 1–6): charset: 'A' at position 4 is not allowed (a GB/T 2260 code is 6 digits)")
        #expect(rule(replacing: 8, with: "A")
            == "charset: 'A' at position 8 is not allowed (cadastral district 地籍区 (positions 7–9) is 3 digits)")
        #expect(rule(replacing: 12, with: "B")
            == "charset: 'B' at position 12 is not allowed (cadastral subdistrict 地籍子区 (positions 10–12) is 3 digits)")
        #expect(rule(replacing: 13, with: "X")
            == "charset: 'X' at position 13 is not allowed (宗地特征码 starts with G, J or Z: state, collective or disputed ownership)")
        #expect(rule(replacing: 14, with: "7")
            == "charset: '7' at position 14 is not allowed (the 宗地特征码's second character is an uppercase letter)")
        #expect(rule(replacing: 16, with: "C")
            == "charset: 'C' at position 16 is not allowed (parcel sequence 宗地顺序号 (positions 15–19) is 5 digits)")
        #expect(rule(replacing: 20, with: "A")
            == "charset: 'A' at position 20 is not allowed (定着物特征码 is F, L, Q or W: building, trees, other, none)")
        #expect(rule(replacing: 28, with: "Z")
            == "charset: 'Z' at position 28 is not allowed (fixture unit 定着物单元编号 (positions 21–28) is 8 digits)")
    }
}
