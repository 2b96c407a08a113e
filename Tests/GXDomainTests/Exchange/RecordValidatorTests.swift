import GXDomain
import Testing

@Suite("Validating records against the catalogue")
struct RecordValidatorTests {
    /// The record's violation, checked to be the same whether the record is read from its values (as
    /// agents do) or from its canonical line's bytes (as the hub does).
    static func violation(_ validator: RecordValidator, _ record: CanonicalRecord) -> RecordViolation? {
        let fromValues = validator.violation(in: record)
        var tokens: [Int] = []
        let line = try? CanonicalRecordLine(checking: record.canonicalLine.dropLast(), valueCount: record.values.count, tokens: &tokens)
        #expect(line != nil)
        if let line { #expect(validator.violation(in: line) == fromValues) }
        return fromValues
    }

    @Test("valid records of the three shipped resources pass", arguments: ["FR-001", "RK-001", "FC-001"])
    func validRecordsPass(code: String) throws {
        let validator = try ExchangeFixtures.validator(code)
        #expect(Self.violation(validator, try ExchangeFixtures.record(code)) == nil)
    }

    @Test("key indices follow the batch's item order")
    func keyIndices() throws {
        let entry = try ExchangeFixtures.entry("FC-001")
        let validator = try RecordValidator(entry: entry, items: ["房屋坐落", "成交价格", "不动产单元号"])
        #expect(validator.items == ["房屋坐落", "成交价格", "不动产单元号"])
        #expect(validator.keyIndices == [2])
    }

    @Test("an item that is not in the catalogue entry is refused")
    func unknownItem() throws {
        let entry = try ExchangeFixtures.entry("FR-001")
        let error = #expect(throws: InvalidInput.self) { try RecordValidator(entry: entry, items: ["统一社会信用代码", "法人名称"]) }
        #expect(error?.field == "items")
        #expect(error?.reason.hasPrefix("'法人名称' is not an item of FR-001") == true)
    }

    @Test("items without the key item are refused")
    func missingKey() throws {
        let entry = try ExchangeFixtures.entry("RK-001")
        let error = #expect(throws: InvalidInput.self) { try RecordValidator(entry: entry, items: ["姓名", "性别代码"]) }
        #expect(error?.reason.contains("公民身份号码") == true)
    }

    @Test("a subset of items including the key validates only those items")
    func subset() throws {
        let entry = try ExchangeFixtures.entry("RK-001")
        let validator = try RecordValidator(entry: entry, items: ["公民身份号码", "姓名"])
        #expect(Self.violation(validator, CanonicalRecord(operation: .upsert, values: ["34052419800101001X", "张三"])) == nil)
    }

    @Test("a wrong ID check digit names the GB 11643 rule")
    func badCheckDigit() throws {
        let validator = try ExchangeFixtures.validator("RK-001")
        let violation = Self.violation(validator, try ExchangeFixtures.record("RK-001", ["公民身份号码": "340524198001010013"]))
        #expect(violation == RecordViolation(item: "公民身份号码", rule: "GB 11643-1999: check character: expected X, got 3",
                                             value: "340524198001010013"))
    }

    @Test("a wrong 统一社会信用代码 check character names GB 32100")
    func badUSCC() throws {
        let validator = try ExchangeFixtures.validator("FC-001")
        let violation = Self.violation(validator, try ExchangeFixtures.record("FC-001", ["开发企业统一社会信用代码": "91330110MA2CC1X506"]))
        #expect(violation?.item == "开发企业统一社会信用代码")
        #expect(violation?.rule.hasPrefix("GB 32100-2015: check character") == true)
    }

    @Test("dates that do not exist or are not YYYY-MM-DD are refused", arguments: [
        "1980-02-30", "1980-13-01", "1980-1-01", "19800101", "1980-01-01T00:00:00", "0000-01-01", "1900-02-29",
    ])
    func badDate(value: String) throws {
        let validator = try ExchangeFixtures.validator("RK-001")
        let violation = Self.violation(validator, try ExchangeFixtures.record("RK-001", ["出生日期": value]))
        #expect(violation == RecordViolation(item: "出生日期", rule: "not a date (YYYY-MM-DD)", value: value))
    }

    @Test("29 February of a leap year is a date")
    func leapDay() throws {
        let validator = try ExchangeFixtures.validator("RK-001")
        #expect(Self.violation(validator, try ExchangeFixtures.record("RK-001", ["出生日期": "2000-02-29"])) == nil)
    }

    @Test("a code that is not in the item's code table is refused")
    func codeNotInTable() throws {
        let validator = try ExchangeFixtures.validator("RK-001")
        let violation = Self.violation(validator, try ExchangeFixtures.record("RK-001", ["性别代码": "男"]))
        #expect(violation == RecordViolation(item: "性别代码", rule: "not in GB/T 2261.1 人的性别代码", value: "男"))
    }

    @Test("a code matches its table exactly: a listed code without its leading zero is refused", arguments: ["1", "3", "5"])
    func codeMatchesExactly(value: String) throws {
        let validator = try ExchangeFixtures.validator("RK-001")
        #expect(Self.violation(validator, try ExchangeFixtures.record("RK-001", ["民族代码": "0" + value])) == nil)
        let violation = Self.violation(validator, try ExchangeFixtures.record("RK-001", ["民族代码": value]))
        #expect(violation == RecordViolation(item: "民族代码", rule: "not in GB/T 3304 中国各民族名称的罗马字母拼写法和代码", value: value))
    }

    @Test("a value longer than the item's length in characters is refused")
    func tooLong() throws {
        let validator = try ExchangeFixtures.validator("RK-001")
        #expect(Self.violation(validator, try ExchangeFixtures.record("RK-001", ["姓名": String(repeating: "张", count: 50)])) == nil)
        let long = String(repeating: "张", count: 51)
        let violation = Self.violation(validator, try ExchangeFixtures.record("RK-001", ["姓名": long]))
        #expect(violation == RecordViolation(item: "姓名", rule: "longer than 50 characters", value: long))
    }

    @Test("length counts characters, so a combining accent does not count twice")
    func lengthInCharacters() throws {
        let validator = try ExchangeFixtures.validator("RK-001")
        let name = String(repeating: "e\u{301}", count: 50)  // 50 Characters, 100 scalars
        #expect(Self.violation(validator, try ExchangeFixtures.record("RK-001", ["姓名": name])) == nil)
    }

    @Test("a required item that is absent or empty is refused")
    func requiredMissing() throws {
        let validator = try ExchangeFixtures.validator("FC-001")
        #expect(Self.violation(validator, try ExchangeFixtures.record("FC-001", ["合同编号": nil]))
            == RecordViolation(item: "合同编号", rule: "required", value: nil))
        #expect(Self.violation(validator, try ExchangeFixtures.record("FC-001", ["合同编号": ""]))
            == RecordViolation(item: "合同编号", rule: "required", value: ""))
    }

    @Test("an optional item may be absent")
    func optionalAbsent() throws {
        let validator = try ExchangeFixtures.validator("FC-001")
        #expect(Self.violation(validator, try ExchangeFixtures.record("FC-001", ["建筑面积": nil, "开发企业统一社会信用代码": nil])) == nil)
    }

    @Test("decimals must be in canonical form", arguments: ["1.50", "01", "+1", "1e3", ".5", "1.", "-0", "1,000", " 1"])
    func nonCanonicalDecimal(value: String) throws {
        let validator = try ExchangeFixtures.validator("FC-001")
        let violation = Self.violation(validator, try ExchangeFixtures.record("FC-001", ["成交价格": value]))
        #expect(violation?.item == "成交价格")
        #expect(violation?.rule.hasPrefix("not a decimal") == true)
    }

    @Test("canonical decimals pass", arguments: ["0", "-0.5", "1234.5", "10", "0.05"])
    func canonicalDecimal(value: String) throws {
        let validator = try ExchangeFixtures.validator("FC-001")
        #expect(Self.violation(validator, try ExchangeFixtures.record("FC-001", ["成交价格": value])) == nil)
    }

    @Test("a string with a control character is refused")
    func controlCharacter() throws {
        let validator = try ExchangeFixtures.validator("RK-001")
        let violation = Self.violation(validator, try ExchangeFixtures.record("RK-001", ["住址": "北京\n东城"]))
        #expect(violation == RecordViolation(item: "住址", rule: "contains the control character U+000A", value: "北京\n东城"))
    }

    @Test("a delete with the key alone passes")
    func deleteWithKey() throws {
        let entry = try ExchangeFixtures.entry("FC-001")
        let validator = try ExchangeFixtures.validator("FC-001")
        let values = entry.items.map { $0.key ? "440106001001GB00001F00010001" : nil }
        #expect(Self.violation(validator, CanonicalRecord(operation: .delete, values: values)) == nil)
    }

    @Test("a delete carrying non-key values is refused")
    func deleteWithValues() throws {
        let validator = try ExchangeFixtures.validator("FC-001")
        let violation = Self.violation(validator, try ExchangeFixtures.record("FC-001", operation: .delete))
        #expect(violation?.item == "房屋坐落")
        #expect(violation?.rule == "must be absent in a delete (only key items are sent)")
    }

    @Test("a delete with a bad key is refused")
    func deleteBadKey() throws {
        let entry = try ExchangeFixtures.entry("RK-001")
        let validator = try ExchangeFixtures.validator("RK-001")
        let values = entry.items.map { $0.key ? "34052419800101001x" : nil }
        let violation = Self.violation(validator, CanonicalRecord(operation: .delete, values: values))
        #expect(violation?.item == "公民身份号码")
        #expect(violation?.rule.hasPrefix("GB 11643-1999:") == true)
    }

    @Test("a record with the wrong number of values is a violation, not a crash")
    func wrongCount() throws {
        let validator = try ExchangeFixtures.validator("RK-001")
        #expect(Self.violation(validator, CanonicalRecord(operation: .upsert, values: ["34052419800101001X"]))?.item == "record")
    }

    @Test("datetimes must be YYYY-MM-DDTHH:MM:SS and real")
    func dateTimes() {
        #expect(ItemType.datetime.formViolation("2024-01-05T23:59:59") == nil)
        for bad in ["2024-01-05 23:59:59", "2024-01-05T24:00:00", "2024-02-30T00:00:00", "2024-01-05T00:60:00", "2024-01-05T00:00:00Z"] {
            #expect(ItemType.datetime.formViolation(bad) == "not a date and time (YYYY-MM-DDTHH:MM:SS)", "\(bad)")
        }
    }

    @Test("integers have no leading zeros, sign plus or negative zero")
    func integers() {
        for good in ["0", "7", "-12", "1000"] { #expect(ItemType.integer.formViolation(good) == nil, "\(good)") }
        for bad in ["007", "+7", "-0", "1.0", "", "-"] { #expect(ItemType.integer.formViolation(bad) != nil, "\(bad)") }
    }

    @Test("a violation's description leaves out the value, which may be personal data")
    func descriptionOmitsValue() {
        #expect(RecordViolation(item: "公民身份号码", rule: "required", value: "34052419800101001X").description == "公民身份号码: required")
    }
}
