import GXDomain
import Testing

@Suite struct OrganizationCodeTests {
    @Test(arguments: ["71610585-2", "716105852", "75701313-7", "MA2CC1X5-0"])
    func validCodesInBothForms(_ value: String) throws {
        try OrganizationCode.validate(value)
        #expect(IdentifierValidator.violation(of: value, as: .organizationCode) == nil)
    }

    @Test func checkCharacterOfTheDesignExample() {
        #expect(OrganizationCode.checkCharacter(forFirst8: "71610585") == "2")
        #expect(OrganizationCode.checkCharacter(forFirst8: "7161058") == nil)
        #expect(OrganizationCode.checkCharacter(forFirst8: "7161058a") == nil)
    }

    @Test func wrongCheckCharacter() {
        #expect(OrganizationCode.violation(of: "71610585-3")?.rule == "check character: expected 2, got 3")
        #expect(OrganizationCode.violation(of: "716105853")?.rule == "check character: expected 2, got 3")
    }

    @Test func misplacedHyphen() {
        let rule = "format: expected 8 characters, a hyphen and a check character"
        #expect(OrganizationCode.violation(of: "7161058-52")?.rule == rule)
        #expect(OrganizationCode.violation(of: "7161058-2")?.rule == rule)
        #expect(OrganizationCode.violation(of: "71610585--2")?.rule == rule)
        #expect(OrganizationCode.violation(of: "71610585-")?.rule == rule)
    }

    @Test func wrongLengthAndCharset() {
        #expect(OrganizationCode.violation(of: "71610585")?.rule == "length: expected 9 characters (10 with the hyphen), got 8")
        #expect(OrganizationCode.violation(of: "ma2cc1x5-0")?.rule == "charset: 'm' at position 1 is not allowed (letters must be uppercase)")
        #expect(OrganizationCode.violation(of: "MA2CC1X5-x")?.rule
            == "charset: 'x' at position 10 is not allowed (the check character is written as uppercase X)")
        #expect(OrganizationCode.violation(of: "71610585_2")?.rule
            == "charset: '_' at position 9 is not allowed (GB 11714 uses digits and uppercase letters)")
    }

    @Test func generatedCodesRoundTripIncludingXAndZero() throws {
        var random = IdentifierTestRandom(seed: 11714)
        var checkCharactersSeen: Set<Character> = []
        for _ in 0..<1000 {
            let body = random.string(8, from: "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
            let check = try #require(OrganizationCode.checkCharacter(forFirst8: body))
            checkCharactersSeen.insert(check)
            try OrganizationCode.validate(body + String(check))
            try OrganizationCode.validate(body + "-" + String(check))
        }
        #expect(checkCharactersSeen == Set("0123456789X"))
    }
}
