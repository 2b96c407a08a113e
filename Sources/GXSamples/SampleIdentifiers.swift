import GXDomain

/// Builds identifiers that satisfy their standards, with the check characters computed by the
/// validators' own public functions, and spoils them in exactly one way when a sample asks for it.
enum SampleIdentifiers {
    /// Where holders' numbers were issued: Beijing's districts (including 崇文 110103 and 宣武 110104,
    /// merged in 2010 but still on older cards) and districts elsewhere, since many residents were
    /// born outside Beijing. 32 entries, a factor of the key space of ``SampleRegister`` 人口.
    static let issuingAreas: [String] = SampleDistrict.all.map(\.code) + [
        "110103", "110104", "120101", "130102", "130203", "140105", "150102", "220102",
        "230103", "320106", "330106", "340104", "370102", "410105", "420106", "510107",
    ]

    /// 公民身份号码 from its parts; `sequence` 1…999, odd for men.
    static func citizenID(area: String, birth: SampleDay, sequence: Int) -> String {
        let first17 = area + birth.compact + SampleText.pad(sequence, 3)
        return first17 + String(CitizenIDNumber.checkCharacter(forFirst17: first17)!)
    }

    /// A valid number for someone born between the two days; not unique, for parties other than the key.
    static func citizenID(male: Bool, bornBetween first: SampleDay, and last: SampleDay, _ random: inout SampleRandom) -> String {
        let sequence = random.int(in: 0...498) * 2 + (male ? 1 : 2)
        return citizenID(area: random.pick(issuingAreas), birth: .random(first, last, &random), sequence: sequence)
    }

    /// 统一社会信用代码 and the 组织机构代码 inside it (written `71610585-2`), from the registering
    /// authority (position 1), the entity category (2), the authority's division (3–8) and an
    /// 8-character 主体标识码 body.
    static func creditCode(authority: Character, category: Character, division: String, body: String) -> (code: String, organizationCode: String) {
        let organizationCheck = OrganizationCode.checkCharacter(forFirst8: body)!
        let first17 = String(authority) + String(category) + division + body + String(organizationCheck)
        return (first17 + String(UnifiedSocialCreditCode.checkCharacter(forFirst17: first17)!), body + "-" + String(organizationCheck))
    }

    /// A valid code for an enterprise registered in Beijing; not unique, for parties other than the key.
    static func enterpriseCreditCode(_ random: inout SampleRandom) -> String {
        let body = random.chance(perMille: 500) ? "MA" + SampleText.base31(random.below(887_503_681), width: 6) : random.digits(8)
        return creditCode(authority: "9", category: "1", division: SampleDistrict.byResidents.pick(&random).code, body: body).code
    }

    /// An old 15-digit 工商注册号: 6-digit authority division, 8-digit sequence, and a GB/T 17710
    /// (ISO 7064 MOD 11,10) check digit.
    static func registrationNumber(division: String, _ random: inout SampleRandom) -> String {
        let first14 = division + "0" + random.digits(7)
        var product = 10
        for byte in first14.utf8 {
            var sum = (product + Int(byte - 0x30)) % 10
            if sum == 0 { sum = 10 }
            product = sum * 2 % 11
        }
        return first14 + String((11 - product) % 10)
    }

    /// The same value with its last (check) character replaced by another one the standard allows
    /// there, so it breaks only the check.
    static func withWrongCheckCharacter(_ value: String, alphabet: [Character]) -> String {
        let index = alphabet.firstIndex(of: value.last!) ?? 0
        return String(value.dropLast()) + String(alphabet[(index + 1) % alphabet.count])
    }
}
