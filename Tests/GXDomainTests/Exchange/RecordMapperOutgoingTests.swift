import GXDomain
import Testing

@Suite("Mapping local rows to the catalogue (provider side)")
struct RecordMapperOutgoingTests {
    @Test("a mapped housing row validates against FC-001")
    func mappedRowValidates() throws {
        let values = try MappingFixtures.outgoing().map(MappingFixtures.housingRow())
        let validator = try ExchangeFixtures.validator("FC-001")
        #expect(validator.violation(in: CanonicalRecord(operation: .upsert, values: values)) == nil)
    }

    @Test("items with no mapping are absent, unmapped columns are ignored")
    func unmappedItems() throws {
        let values = try MappingFixtures.outgoing().map(MappingFixtures.housingRow())
        #expect(try MappingFixtures.value(values, "卖方证件类型") == nil)
        #expect(try MappingFixtures.value(values, "开发企业统一社会信用代码") == nil)
        #expect(values.count == 14)
    }

    @Test("values come out in the batch's item order")
    func itemOrder() throws {
        let mapper = try MappingFixtures.outgoing(items: ["合同编号", "不动产单元号", "成交价格"])
        #expect(try mapper.map(MappingFixtures.housingRow()) == ["GZ-2026-000123", "440106001001GB00001F00010001", "3500000"])
    }

    @Test("date:YYYYMMDD becomes YYYY-MM-DD")
    func compactDate() throws {
        #expect(try MappingFixtures.convert("20240105", #"convert = "date:YYYYMMDD""#) == "2024-01-05")
    }

    @Test("a local value that is not a real YYYYMMDD date is a violation naming the format", arguments: ["20240230", "2024015", "2024-01-05", "2024010a"])
    func badCompactDate(local: String) {
        let violation = #expect(throws: RecordViolation.self) { try MappingFixtures.convert(local, #"convert = "date:YYYYMMDD""#) }
        #expect(violation == RecordViolation(item: "出生日期", rule: "not a date in YYYYMMDD", value: local))
    }

    @Test("date:YYYY-MM-DD checks the date and passes it on")
    func dashedDate() throws {
        #expect(try MappingFixtures.convert("2024-01-05", #"convert = "date:YYYY-MM-DD""#) == "2024-01-05")
        #expect(throws: RecordViolation(item: "出生日期", rule: "not a date in YYYY-MM-DD", value: "2024-1-5")) {
            try MappingFixtures.convert("2024-1-5", #"convert = "date:YYYY-MM-DD""#)
        }
    }

    @Test("date:excel reads the text forms spreadsheets export", arguments: [
        "2024/1/5", "2024-1-5", "2024/01/05", "2024.1.5", "2024年1月5日", "2024年01月05日", "2024/1/5 0:00", "2024-01-05 00:00:00",
    ])
    func excelText(local: String) throws {
        #expect(try MappingFixtures.convert(local, #"convert = "date:excel""#) == "2024-01-05")
    }

    @Test("date:excel reads serial day numbers, including around the 1900 leap-year bug")
    func excelSerial() throws {
        let conversion = #"convert = "date:excel""#
        #expect(try MappingFixtures.convert("45296", conversion) == "2024-01-05")
        #expect(try MappingFixtures.convert("45296.0", conversion) == "2024-01-05")
        #expect(try MappingFixtures.convert("1", conversion) == "1900-01-01")
        #expect(try MappingFixtures.convert("59", conversion) == "1900-02-28")
        #expect(try MappingFixtures.convert("61", conversion) == "1900-03-01")
        #expect(try MappingFixtures.convert("2958465", conversion) == "9999-12-31")
    }

    @Test("date:excel refuses what is not a day", arguments: ["0", "60", "45296.5", "2958466", "2024/1/32", "2024/1-5", "2024/1/5 8:30", "1/5/2024", "五"])
    func badExcel(local: String) {
        let violation = #expect(throws: RecordViolation.self) { try MappingFixtures.convert(local, #"convert = "date:excel""#) }
        #expect(violation?.rule.hasPrefix("not a date in Excel form") == true)
    }

    @Test("datetime:YYYY-MM-DD HH:MM:SS becomes the catalogue's T form")
    func dateTime() {
        // No shipped entry has a datetime item, so the conversion is checked on its own.
        #expect(ValueConversion.dateTimeSpaced.catalogueValue(fromLocal: "2024-01-05 08:30:00") == "2024-01-05T08:30:00")
        #expect(ValueConversion.dateTimeSpaced.catalogueValue(fromLocal: "2024-01-05 24:00:00") == nil)
        #expect(ValueConversion.dateTimeSpaced.catalogueValue(fromLocal: "2024-01-05T08:30:00") == nil)
    }

    @Test("decimal:万元 scales to 元 exactly", arguments: [
        ("1.5", "15000"), ("350", "3500000"), ("0.00001", "0.1"), ("0.000001", "0.01"), ("123456789.123456789", "1234567891234.56789"),
        ("-2.5", "-25000"), ("0", "0"), ("-0.0", "0"), ("0012.3000", "123000"), (".5", "5000"), ("1,234.5", "12345000"),
    ])
    func wanYuan(local: String, expected: String) throws {
        let config = MappingFixtures.housingConfig
        let values = try MappingFixtures.outgoing(config).map(MappingFixtures.housingRow(["price_wan": local]))
        #expect(try MappingFixtures.value(values, "成交价格") == expected)
    }

    @Test("decimal:元 normalises to the canonical decimal form", arguments: [("89.50", "89.5"), ("+089", "89"), ("1,234,567.00", "1234567")])
    func yuan(local: String, expected: String) throws {
        let values = try MappingFixtures.outgoing().map(MappingFixtures.housingRow(["area": local]))
        #expect(try MappingFixtures.value(values, "建筑面积") == expected)
    }

    @Test("a local value that is not a number is a violation", arguments: ["1.5万", "1e3", "1,23", "--1", ".", "1.2.3", "1,2345"])
    func badDecimal(local: String) {
        let violation = #expect(throws: RecordViolation.self) {
            try MappingFixtures.outgoing().map(MappingFixtures.housingRow(["price_wan": local]))
        }
        #expect(violation == RecordViolation(item: "成交价格", rule: "not a number in 万元 (such as 1234.5)", value: local))
    }

    @Test("integer drops leading zeros, plus signs and zero fractions, and refuses fractions")
    func integer() {
        #expect(ValueConversion.integer.catalogueValue(fromLocal: "007") == "7")
        #expect(ValueConversion.integer.catalogueValue(fromLocal: "+12.00") == "12")
        #expect(ValueConversion.integer.catalogueValue(fromLocal: "-0") == "0")
        #expect(ValueConversion.integer.catalogueValue(fromLocal: "1.5") == nil)
    }

    @Test("leading and trailing spaces, tabs and ideographic spaces are trimmed")
    func trims() throws {
        #expect(try MappingFixtures.convert(" \t张三\u{3000}\r", "", item: "姓名") == "张三")
        #expect(try MappingFixtures.convert("张 三", "", item: "姓名") == "张 三")
    }

    @Test("trim = false keeps surrounding whitespace")
    func trimOff() throws {
        #expect(try MappingFixtures.convert(" 张三 ", "trim = false\nhalfwidth = false", item: "姓名") == " 张三 ")
    }

    @Test("full-width letters, digits and punctuation become half-width")
    func halfwidth() throws {
        #expect(try MappingFixtures.convert("ＧＺ－２０２６（Ａ）　Ｎｏ．１", "", item: "姓名") == "GZ-2026(A) No.1")
        #expect(try MappingFixtures.convert("２０２４０１０５", #"convert = "date:YYYYMMDD""#) == "2024-01-05")
    }

    @Test("halfwidth = false keeps full-width characters")
    func halfwidthOff() throws {
        #expect(try MappingFixtures.convert("ＧＺ１", "halfwidth = false", item: "姓名") == "ＧＺ１")
    }

    @Test("codes turn local values into catalogue codes")
    func codes() throws {
        let lines = #"codes = { "男" = "1", "女" = "2", "未知" = "0" }"#
        #expect(try MappingFixtures.convert("男", lines, item: "性别代码") == "1")
        #expect(try MappingFixtures.convert("女", lines, item: "性别代码") == "2")
        #expect(try MappingFixtures.convert(" 女　", lines, item: "性别代码") == "2")
    }

    @Test("codes match local values of any length, and a value written in another Unicode normal form still matches")
    func codesOfAnyLengthAndForm() throws {
        // "已婚有配偶" is 15 UTF-8 bytes; "é" is one scalar in the table and two (e + U+0301) in the value.
        let lines = #"codes = { "男" = "1", "已婚有配偶" = "2", "\u00E9" = "9" }"#
        #expect(try MappingFixtures.convert("男", lines, item: "性别代码") == "1")
        #expect(try MappingFixtures.convert("已婚有配偶", lines, item: "性别代码") == "2")
        #expect(try MappingFixtures.convert("e\u{0301}", lines, item: "性别代码") == "9")
        #expect(throws: RecordViolation.self) { try MappingFixtures.convert("男性", lines, item: "性别代码") }
    }

    @Test("a local value missing from codes is a violation listing the mapped values")
    func unknownCode() {
        let lines = #"codes = { "男" = "1", "女" = "2" }"#
        let violation = #expect(throws: RecordViolation.self) { try MappingFixtures.convert("M", lines, item: "性别代码") }
        #expect(violation == RecordViolation(item: "性别代码", rule: "not in the mapping's codes (女, 男)", value: "M"))
    }

    @Test("an empty local value takes the default, which goes through codes like a local value")
    func defaults() throws {
        let values = try MappingFixtures.outgoing().map(MappingFixtures.housingRow(["use": "  ", "buyer_id_type": nil]))
        #expect(try MappingFixtures.value(values, "规划用途") == "90")
        #expect(try MappingFixtures.value(values, "买方证件类型") == "1")
    }

    @Test("a default with no column fills an item the local data does not hold")
    func constantDefault() throws {
        let config = MappingFixtures.single(#"convert = "date:YYYYMMDD""#) + "\n\n[[map]]\nitem = \"人员状态代码\"\ndefault = \"0\"\n"
        let mapper = try MappingFixtures.outgoing(config, columns: MappingFixtures.singleColumns, code: "RK-001",
                                                  items: ["公民身份号码", "出生日期", "人员状态代码"])
        #expect(try mapper.map(["34052419800101001X", "19800101"]) == ["34052419800101001X", "1980-01-01", "0"])
    }

    @Test("an empty value is absent when there is no default")
    func emptyIsAbsent() throws {
        #expect(try MappingFixtures.convert("　 ", "", item: "住址") == nil)
        #expect(try MappingFixtures.convert(nil, "", item: "住址") == nil)
    }

    @Test("required = true makes an optional catalogue item required")
    func requiredByMapping() {
        #expect(throws: RecordViolation(item: "住址", rule: "required", value: nil)) {
            try MappingFixtures.convert(" ", "required = true", item: "住址")
        }
    }

    @Test("a row with the wrong number of columns is a violation")
    func wrongColumnCount() throws {
        let mapper = try MappingFixtures.outgoing()
        let violation = #expect(throws: RecordViolation.self) { try mapper.map(["a"]) }
        #expect(violation?.rule == "1 columns, expected 15")
    }
}
