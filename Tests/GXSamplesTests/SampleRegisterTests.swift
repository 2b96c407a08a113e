import GXDomain
import GXSamples
import GXTestSupport
import Testing

@Suite struct SampleRegisterTests {
    static func rows(_ register: SampleRegister) -> [[String?]] {
        var rows: [[String?]] = []
        register.forEachRow { rows.append($0) }
        return rows
    }

    @Test("the same seed gives the same rows; another seed, other rows", arguments: SampleResource.allCases)
    func deterministic(_ resource: SampleResource) {
        let first = Self.rows(SampleRegister(resource: resource, rows: 400, seed: 42, night: 2, invalidEvery: 9))
        let again = Self.rows(SampleRegister(resource: resource, rows: 400, seed: 42, night: 2, invalidEvery: 9))
        let other = Self.rows(SampleRegister(resource: resource, rows: 400, seed: 43, night: 2, invalidEvery: 9))
        #expect(first == again)
        #expect(first != other)
        #expect(first.allSatisfy { $0.count == resource.columns.count })
    }

    @Test("rows are a function of the seed alone: a longer register starts with the shorter one", arguments: SampleResource.allCases)
    func prefixStable(_ resource: SampleResource) {
        let short = Self.rows(SampleRegister(resource: resource, rows: 100, seed: 5))
        let long = Self.rows(SampleRegister(resource: resource, rows: 300, seed: 5))
        #expect(Array(long.prefix(100)) == short)
    }

    @Test("keys are valid per their standard and unique; every row passes the catalogue through the mapping", arguments: SampleResource.allCases)
    func validRows(_ resource: SampleResource) throws {
        let checker = try SampleRowChecker(resource)
        let keyKind = try #require(checker.entry.keyItems.first?.identifier)
        var keys = Set<String>()
        for night in [1, 2] {
            keys.removeAll()
            SampleRegister(resource: resource, rows: 3000, seed: 2026, night: night).forEachRow { row in
                let key = row[0] ?? ""
                #expect(IdentifierValidator.violation(of: key, as: keyKind) == nil, "\(key)")
                #expect(keys.insert(key).inserted, "duplicate key \(key)")
                let violations = checker.violations(row)
                #expect(violations.isEmpty, "\(violations) in \(row)")
            }
        }
    }

    @Test("人口: 出生日期 and 性别 agree with the 公民身份号码, whose sequence is odd for men")
    func populationAgreesWithIDNumber() {
        SampleRegister(resource: .population, rows: 2000, seed: 11).forEachRow { row in
            let id = row[0]!
            let birth = CitizenIDNumber.birthDate(of: id)!
            #expect(row[4] == String(birth.description.filter { $0 != "-" }))
            #expect(row[2] == (CitizenIDNumber.sex(of: id) == .male ? "男" : "女"))
        }
    }

    @Test("法人: the 组织机构代码 column is the one inside the 统一社会信用代码, and valid")
    func legalEntityCodesAgree() {
        SampleRegister(resource: .legalEntities, rows: 2000, seed: 12).forEachRow { row in
            let credit = row[0]!, organization = row[1]!
            #expect(UnifiedSocialCreditCode.violation(of: credit, checkingEmbeddedOrganizationCode: true) == nil)
            #expect(String(organization.filter { $0 != "-" }) == UnifiedSocialCreditCode.organizationCode(of: credit))
            #expect(OrganizationCode.violation(of: organization) == nil)
        }
    }

    @Test("local formats differ from the catalogue: full-width digits, stray spaces, 万元, Excel dates")
    func localFormats() {
        var fullWidth = 0, padded = 0
        let population = Self.rows(SampleRegister(resource: .population, rows: 3000, seed: 3))
        for row in population {
            if row.contains(where: { $0?.unicodeScalars.contains { (0xFF10...0xFF19).contains($0.value) } == true }) { fullWidth += 1 }
            if let name = row[1], name.first == " " || name.last == " " { padded += 1 }
        }
        #expect(fullWidth > 0 && padded > 0)
        #expect(Set(population.map { $0[2] }) == ["男", "女"])
        let housing = Self.rows(SampleRegister(resource: .housing, rows: 200, seed: 3))
        #expect(housing.allSatisfy { $0[6]!.split(separator: "/").count == 3 })
        let entities = Self.rows(SampleRegister(resource: .legalEntities, rows: 200, seed: 3))
        #expect(entities.contains { $0[8]?.hasSuffix(".000000") == true })
    }

    @Test("night 2 is night 1 with about 1 % changed: updates, deletes and inserts all present", arguments: SampleResource.allCases)
    func nightTwo(_ resource: SampleResource) {
        let count = 5000
        let first = Self.rows(SampleRegister(resource: resource, rows: count, seed: 77))
        let second = Self.rows(SampleRegister(resource: resource, rows: count, seed: 77, night: 2))
        let firstByKey = Dictionary(uniqueKeysWithValues: first.map { ($0[0]!, $0) })
        let secondByKey = Dictionary(uniqueKeysWithValues: second.map { ($0[0]!, $0) })
        let deleted = firstByKey.keys.filter { secondByKey[$0] == nil }
        let inserted = secondByKey.keys.filter { firstByKey[$0] == nil }
        let updated = firstByKey.filter { key, row in secondByKey[key].map { $0 != row } ?? false }
        #expect(!deleted.isEmpty && !inserted.isEmpty && !updated.isEmpty)
        let changed = deleted.count + inserted.count + updated.count
        #expect((count / 200...count * 3 / 200).contains(changed), "\(changed) changes in \(count) rows")
        // Surviving rows keep their place and key; inserts come last.
        let surviving = first.map { $0[0]! }.filter { secondByKey[$0] != nil }
        #expect(Array(second.map { $0[0]! }.prefix(surviving.count)) == surviving)
        #expect(Set(second.suffix(inserted.count).map { $0[0]! }) == Set(inserted))
    }

    @Test("invalidEvery n spoils exactly every n-th row in one rule, rotating through four kinds", arguments: SampleResource.allCases)
    func invalidEvery(_ resource: SampleResource) throws {
        let checker = try SampleRowChecker(resource)
        let count = 1000, every = 7
        var invalidRows: [Int] = []
        var rules: [String] = []
        var index = 0
        SampleRegister(resource: resource, rows: count, seed: 9, invalidEvery: every).forEachRow { row in
            let violations = checker.violations(row)
            if !violations.isEmpty {
                invalidRows.append(index)
                #expect(violations.count == 1, "\(violations)")
                rules += violations
            }
            index += 1
        }
        #expect(invalidRows.count == count / every)
        #expect(invalidRows.allSatisfy { ($0 + 1) % every == 0 })
        #expect(rules.contains { $0.contains("check character") })
        #expect(rules.contains { $0.contains("date:") })
        #expect(rules.contains { $0.contains("code:") })
        #expect(rules.contains { $0.hasSuffix(": required") })
    }

    @Test("the mapping maps every column once to a catalogue item, and its codes to catalogue codes", arguments: SampleResource.allCases)
    func mapping(_ resource: SampleResource) throws {
        let checker = try SampleRowChecker(resource)
        #expect(checker.mapping.map(\.column).sorted() == resource.columns.sorted())
        #expect(Set(checker.mapping.map(\.item)) == Set(checker.entry.items.map(\.name)))
        #expect(checker.entry.keyItems.map(\.name) == [checker.mapping.first { $0.column == resource.columns[0] }!.item])
        for field in checker.mapping {
            let item = try #require(checker.entry.item(named: field.item))
            for code in (field.codes ?? [:]).values {
                #expect(item.codeTable?.codes[code] != nil, "\(field.item): \(code)")
            }
        }
        #expect(SampleRegister(resource: resource, rows: 1, seed: 1).mappingTOML == resource.mappingTOML)
    }
}
