import GXDomain
import Testing

@Suite struct CitizenIDNumberTests {
    @Test(arguments: ["34052419800101001X", "370101190102039973"])
    func designExamplesAreValid(_ value: String) throws {
        try CitizenIDNumber.validate(value)
        #expect(CitizenIDNumber.checkCharacter(forFirst17: value.prefix(17)) == value.last)
        #expect(IdentifierValidator.violation(of: value, as: .citizenID) == nil)
    }

    @Test func wrongCheckCharacterNamesTheExpectedOne() {
        let violation = CitizenIDNumber.violation(of: "340524198001010013")
        #expect(violation == IdentifierViolation(kind: .citizenID, rule: "check character: expected X, got 3"))
        #expect(CitizenIDNumber.violation(of: "37010119010203997X")?.rule == "check character: expected 3, got X")
    }

    @Test func lowercaseXIsRejectedWithAMessageSayingSo() {
        let rule = CitizenIDNumber.violation(of: "34052419800101001x")?.rule
        #expect(rule == "check character: lowercase x is not allowed, GB 11643 writes it as uppercase X")
    }

    @Test func wrongLengths() {
        #expect(CitizenIDNumber.violation(of: "34052419800101001")?.rule == "length: expected 18 characters, got 17")
        #expect(CitizenIDNumber.violation(of: "34052419800101001X1")?.rule == "length: expected 18 characters, got 19")
        #expect(CitizenIDNumber.violation(of: "")?.rule == "length: expected 18 characters, got 0")
        // The old 15-digit numbers (before 1999) are not accepted: they have no check character.
        #expect(CitizenIDNumber.violation(of: "340524800101001")?.rule == "length: expected 18 characters, got 15")
    }

    @Test func strayCharactersAreNamedRatherThanCounted() {
        #expect(CitizenIDNumber.violation(of: " 34052419800101001X")?.rule
            == "charset: U+0020 at position 1 is not allowed (only digits and a final X)")
        // A full-width digit is three UTF-8 bytes; the position counts characters.
        #expect(CitizenIDNumber.violation(of: "3405241980010100１X")?.rule
            == "charset: '１' at position 17 is not allowed (only digits and a final X)")
        #expect(CitizenIDNumber.violation(of: "3405241980A101001X")?.rule
            == "charset: 'A' at position 11 is not allowed (positions 1–17 are digits)")
        #expect(CitizenIDNumber.violation(of: "34052419800101001Y")?.rule
            == "charset: 'Y' at position 18 is not allowed (the check character is a digit or X)")
    }

    @Test func areaCodeMustNotStartWithZero() {
        let value = Self.make(area: "040524", birth: "19800101", sequence: "001")
        #expect(CitizenIDNumber.violation(of: value)?.rule == "area code: 040524 is not valid (area codes do not start with 0)")
    }

    @Test(arguments: ["19801301", "19800001", "19800100", "19800132", "19800431", "19000229", "19830229", "00000101"])
    func invalidBirthDates(_ birth: String) {
        let value = Self.make(area: "340524", birth: birth, sequence: "001")
        #expect(CitizenIDNumber.violation(of: value)?.rule == "birth date: \(birth) is not a valid date")
    }

    @Test(arguments: ["20000229", "19840229", "19991231", "18000101", "20240229"])
    func leapDaysAndEdgesAreValid(_ birth: String) throws {
        try CitizenIDNumber.validate(Self.make(area: "340524", birth: birth, sequence: "001"))
    }

    @Test func birthBefore1800IsRejected() {
        let value = Self.make(area: "340524", birth: "17991231", sequence: "001")
        #expect(CitizenIDNumber.violation(of: value)?.rule == "birth date: 17991231 is before 1800")
    }

    @Test func birthDateAndSexOfTheHolder() {
        #expect(CitizenIDNumber.birthDate(of: "34052419800101001X") == CalendarDate(year: 1980, month: 1, day: 1))
        #expect(CitizenIDNumber.birthDate(of: "370101190102039973") == CalendarDate(year: 1901, month: 2, day: 3))
        #expect(CitizenIDNumber.sex(of: "34052419800101001X") == .male)
        #expect(CitizenIDNumber.sex(of: Self.make(area: "110101", birth: "19900615", sequence: "124")) == .female)
        #expect(CitizenIDNumber.Sex.female.rawValue == 2)
        // Nothing is derived from an invalid number.
        #expect(CitizenIDNumber.birthDate(of: "340524198001010013") == nil)
        #expect(CitizenIDNumber.sex(of: "3405241980010100") == nil)
    }

    @Test func checkCharacterNeedsSeventeenDigits() {
        #expect(CitizenIDNumber.checkCharacter(forFirst17: "3405241980010100") == nil)
        #expect(CitizenIDNumber.checkCharacter(forFirst17: "34052419800101001A") == nil)
        #expect(CitizenIDNumber.checkCharacter(forFirst17: "3405241980010100A") == nil)
    }

    @Test func generatedNumbersRoundTripAndEverySingleDigitChangeIsCaught() throws {
        var random = IdentifierTestRandom(seed: 11643)
        var checkCharactersSeen: Set<Character> = []
        for _ in 0..<1000 {
            let area = String(random.character(from: "123456789")) + random.string(5, from: "0123456789")
            let year = Int.random(in: 1900...2024, using: &random)
            let month = Int.random(in: 1...12, using: &random)
            let day = Int.random(in: 1...28, using: &random)
            let birth = String(year) + Self.pad(month) + Self.pad(day)
            let value = Self.make(area: area, birth: birth, sequence: random.string(3, from: "0123456789"))
            checkCharactersSeen.insert(value.last!)
            try CitizenIDNumber.validate(value)
            #expect(CitizenIDNumber.birthDate(of: value) == CalendarDate(year: year, month: month, day: day))

            var digits = Array(value)
            let position = Int.random(in: 0..<17, using: &random)
            let original = digits[position]
            digits[position] = random.character(from: String("0123456789".filter { $0 != original }))
            #expect(CitizenIDNumber.violation(of: String(digits)) != nil, "\(String(digits)) should be invalid")
        }
        #expect(checkCharactersSeen.count == 11)
    }

    @Test func substringsAreValidatedWithoutCopying() throws {
        let line = "name,34052419800101001X,other"
        let field = line.split(separator: ",")[1]
        try CitizenIDNumber.validate(field)
    }

    static func make(area: String, birth: String, sequence: String) -> String {
        let first17 = area + birth + sequence
        return first17 + String(CitizenIDNumber.checkCharacter(forFirst17: first17)!)
    }

    static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
