import GXDomain
import Testing

@Suite("Mapping catalogue records to local rows (consumer side)")
struct RecordMapperIncomingTests {
    @Test("a provider's row mapped out and back in gives the local values in normal form")
    func roundTrip() throws {
        let row = MappingFixtures.housingRow(["price_wan": "350.5", "area": "89.5"])
        let catalogue = try MappingFixtures.outgoing().map(row)
        let local = try MappingFixtures.incoming().map(catalogue)
        var expected = row
        expected[MappingFixtures.housingColumns.firstIndex(of: "buyer_id_type")!] = "1"  // the default it took
        for column in ["seller_id_type", "developer", "note"] {  // not mapped
            expected[MappingFixtures.housingColumns.firstIndex(of: column)!] = nil
        }
        #expect(local == expected)
    }

    @Test("dates go back to the local format")
    func dates() throws {
        #expect(try MappingFixtures.convertBack("2024-01-05", #"convert = "date:YYYYMMDD""#) == "20240105")
        #expect(try MappingFixtures.convertBack("2024-01-05", #"convert = "date:excel""#) == "2024/1/5")
        #expect(try MappingFixtures.convertBack("2024-01-05", #"convert = "date:YYYY-MM-DD""#) == "2024-01-05")
        #expect(ValueConversion.dateTimeSpaced.localValue(fromCatalogue: "2024-01-05T08:30:00") == "2024-01-05 08:30:00")
    }

    @Test("元 goes back to 万元 exactly", arguments: [("15000", "1.5"), ("3500000", "350"), ("0.1", "0.00001"), ("-25000", "-2.5"), ("0", "0")])
    func wanYuan(value: String, expected: String) {
        #expect(ValueConversion.decimal(exponent: 4).localValue(fromCatalogue: value) == expected)
    }

    @Test("codes are mapped back through their inverse")
    func codes() throws {
        let lines = #"codes = { "男" = "1", "女" = "2" }"#
        #expect(try MappingFixtures.convertBack("1", lines, item: "性别代码") == "男")
        #expect(try MappingFixtures.convertBack("2", lines, item: "性别代码") == "女")
    }

    @Test("a catalogue code with no local value is a violation")
    func unmappedCode() {
        let violation = #expect(throws: RecordViolation.self) {
            try MappingFixtures.convertBack("9", #"codes = { "男" = "1", "女" = "2" }"#, item: "性别代码")
        }
        #expect(violation == RecordViolation(item: "性别代码", rule: "code has no local value in the mapping's codes", value: "9"))
    }

    @Test("an absent item gives the default, written as it stands")
    func defaults() throws {
        #expect(try MappingFixtures.convertBack(nil, #"default = "不详""#, item: "住址") == "不详")
        #expect(try MappingFixtures.convertBack(nil, "", item: "住址") == nil)
    }

    @Test("an item outside the agreed items gives its default or nothing")
    func notAgreed() throws {
        let config = MappingFixtures.single(#"default = "不详""#, item: "住址")
        let mapper = try MappingFixtures.incoming(config, columns: MappingFixtures.singleColumns, code: "RK-001", items: ["公民身份号码"])
        #expect(try mapper.map(["34052419800101001X"]) == ["34052419800101001X", "不详"])
    }

    @Test("a catalogue value that the reverse conversion cannot read is a violation")
    func badCatalogueValue() {
        let violation = #expect(throws: RecordViolation.self) { try MappingFixtures.convertBack("2024-02-30", #"convert = "date:YYYYMMDD""#) }
        #expect(violation?.item == "出生日期")
        #expect(violation?.value == "2024-02-30")
    }

    @Test("consumer values are not trimmed: the catalogue value is already canonical")
    func noTrim() throws {
        #expect(try MappingFixtures.convertBack(" 张三", "", item: "姓名") == " 张三")
    }
}
