import GXDomain
import Testing

@Suite struct UnifiedSocialCreditCodeTests {
    static let alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

    @Test(arguments: ["91420000757013137P", "91330100716105852F", "91330110MA2CC1X505"])
    func designExamplesAreValid(_ value: String) throws {
        try UnifiedSocialCreditCode.validate(value)
        try UnifiedSocialCreditCode.validate(value, checkingEmbeddedOrganizationCode: true)
        #expect(UnifiedSocialCreditCode.checkCharacter(forFirst17: value.prefix(17)) == value.last)
        #expect(IdentifierValidator.violation(of: value, as: .uscc) == nil)
        try OrganizationCode.validate(UnifiedSocialCreditCode.organizationCode(of: value))
    }

    @Test func organizationCodeIsPositionsNineToSeventeen() {
        #expect(UnifiedSocialCreditCode.organizationCode(of: "91330100716105852F") == "716105852")
        #expect(UnifiedSocialCreditCode.organizationCode(of: "91330110MA2CC1X505") == "MA2CC1X50")
    }

    @Test func wrongCheckCharacter() {
        #expect(UnifiedSocialCreditCode.violation(of: "91420000757013137Q")?.rule == "check character: expected P, got Q")
        #expect(UnifiedSocialCreditCode.violation(of: "91330110MA2CC1X500")?.rule == "check character: expected 5, got 0")
    }

    @Test func excludedLettersAreNamed() {
        #expect(UnifiedSocialCreditCode.violation(of: "91330110MI2CC1X505")?.rule
            == "charset: 'I' at position 10 is not allowed (GB 32100 excludes I O S V Z)")
        #expect(UnifiedSocialCreditCode.violation(of: "91330110MA2CC1X50O")?.rule
            == "charset: 'O' at position 18 is not allowed (GB 32100 excludes I O S V Z)")
        #expect(UnifiedSocialCreditCode.violation(of: "91330110ma2cc1x505")?.rule
            == "charset: 'm' at position 9 is not allowed (letters must be uppercase)")
        #expect(UnifiedSocialCreditCode.violation(of: "91330110MA2CC1X5-5")?.rule
            == "charset: '-' at position 17 is not allowed (GB 32100 uses digits and uppercase letters except I O S V Z)")
    }

    @Test func registeringDivisionIsDigits() {
        #expect(UnifiedSocialCreditCode.violation(of: "9133A110MA2CC1X505")?.rule
            == "charset: 'A' at position 5 is not allowed (positions 3–8 are the registering authority's GB/T 2260 division code, digits only)")
    }

    @Test func wrongLengths() {
        #expect(UnifiedSocialCreditCode.violation(of: "91330110MA2CC1X50")?.rule == "length: expected 18 characters, got 17")
        #expect(UnifiedSocialCreditCode.violation(of: "91330110MA2CC1X5050")?.rule == "length: expected 18 characters, got 19")
        #expect(UnifiedSocialCreditCode.violation(of: "91330110MA2CC1X50 ")?.rule
            == "charset: U+0020 at position 18 is not allowed (GB 32100 uses digits and uppercase letters except I O S V Z)")
    }

    @Test func embeddedOrganizationCodeIsCheckedOnlyOnRequest() throws {
        // Positions 9–17 "716105853" carry a wrong GB 11714 check character; the code's own is right.
        let first17 = "91330100716105853"
        let code = first17 + String(UnifiedSocialCreditCode.checkCharacter(forFirst17: first17)!)
        try UnifiedSocialCreditCode.validate(code)
        #expect(UnifiedSocialCreditCode.violation(of: code, checkingEmbeddedOrganizationCode: true)?.rule
            == "embedded 组织机构代码 (positions 9–17): check character: expected 2, got 3")
    }

    @Test func checkCharacterNeedsSeventeenAlphabetCharacters() {
        #expect(UnifiedSocialCreditCode.checkCharacter(forFirst17: "9133011") == nil)
        #expect(UnifiedSocialCreditCode.checkCharacter(forFirst17: "91330110MI2CC1X50") == nil)
    }

    @Test func generatedCodesRoundTripAndEverySingleChangeIsCaught() throws {
        var random = IdentifierTestRandom(seed: 32100)
        var checkCharactersSeen: Set<Character> = []
        for _ in 0..<1000 {
            // The embedded organization code is built valid too (its check character, 0–9 or X,
            // is always in the GB 32100 alphabet).
            let body = random.string(8, from: Self.alphabet)
            let orgCode = body + String(OrganizationCode.checkCharacter(forFirst8: body)!)
            let first17 = random.string(2, from: Self.alphabet) + random.string(6, from: "0123456789") + orgCode
            let code = first17 + String(UnifiedSocialCreditCode.checkCharacter(forFirst17: first17)!)
            checkCharactersSeen.insert(code.last!)
            try UnifiedSocialCreditCode.validate(code, checkingEmbeddedOrganizationCode: true)

            var characters = Array(code)
            let position = Int.random(in: 0..<18, using: &random)
            let original = characters[position]
            characters[position] = random.character(from: String(Self.alphabet.filter { $0 != original }))
            #expect(UnifiedSocialCreditCode.violation(of: String(characters)) != nil, "\(String(characters)) should be invalid")
        }
        #expect(checkCharactersSeen.count == 31)
    }
}
