import GXDomain
import Testing

@Suite("Refusing a mapping at start-up")
struct RecordMapperStartupTests {
    /// 1-based line of the first line of `text` containing `needle`.
    static func line(of needle: String, in text: String) -> Int {
        text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(needle) }! + 1
    }

    @Test("an unknown column is refused naming the config line and the file's columns")
    func unknownColumn() throws {
        let config = MappingFixtures.housingConfig
        let columns = MappingFixtures.housingColumns.filter { $0 != "addr" }
        let error = #expect(throws: InvalidInput.self) { try MappingFixtures.outgoing(config, columns: columns) }
        #expect(error?.field == "map")
        #expect(error?.reason == "no column 'addr' in data/housing.csv (columns: \(columns.joined(separator: ", ")))")
        #expect(error?.record == "agent.toml:\(Self.line(of: "column=\"addr\"", in: config))")
    }

    @Test("an unknown item is refused naming the config line")
    func unknownItem() throws {
        let config = MappingFixtures.housingConfig.replacingOccurrences(of: "item   =   \"建筑面积\"", with: "item   =   \"面积\"")
        let error = #expect(throws: InvalidInput.self) { try MappingFixtures.outgoing(config) }
        #expect(error?.reason == "'面积' is not an item of FC-001")
        #expect(error?.record == "agent.toml:\(Self.line(of: "\"面积\"", in: config))")
    }

    @Test("the consumer side refuses an unknown column and item the same way")
    func incomingUnknowns() throws {
        let config = MappingFixtures.housingConfig
        let columns = MappingFixtures.housingColumns.filter { $0 != "reg_date" }
        let error = #expect(throws: InvalidInput.self) { try MappingFixtures.incoming(config, columns: columns) }
        #expect(error?.record == "agent.toml:\(Self.line(of: "column = \"reg_date\"", in: config))")
        let badItem = config.replacingOccurrences(of: "item = \"合同编号\"", with: "item = \"合同号\"")
        let itemError = #expect(throws: InvalidInput.self) { try MappingFixtures.incoming(badItem) }
        #expect(itemError?.reason == "'合同号' is not an item of FC-001")
        #expect(itemError?.record == "agent.toml:\(Self.line(of: "合同号", in: badItem))")
    }

    @Test("a required catalogue item without a mapping is refused")
    func requiredUnmapped() throws {
        let config = MappingFixtures.housingConfig.replacingOccurrences(of: "item = \"合同编号\"\ncolumn = \"contract\"", with: "item = \"开发企业统一社会信用代码\"\ncolumn = \"developer\"")
        let error = #expect(throws: InvalidInput.self) { try MappingFixtures.outgoing(config) }
        #expect(error?.reason == "'合同编号' is required in FC-001 but has no mapping and no default")
        #expect(error?.record == "agent.toml")
    }

    @Test("a required item outside the batch's items needs no mapping")
    func requiredOutsideItems() throws {
        let config = MappingFixtures.single("", item: "住址")
        _ = try MappingFixtures.outgoing(config, columns: MappingFixtures.singleColumns, code: "RK-001", items: ["公民身份号码", "住址"])
    }

    @Test("a mapping with neither column nor default is refused")
    func noColumnNoDefault() {
        let config = MappingFixtures.housingConfig + "\n\n[[map]]\nitem = \"开发企业统一社会信用代码\"\n"
        let error = #expect(throws: InvalidInput.self) { try MappingFixtures.outgoing(config) }
        #expect(error?.reason == "the mapping of '开发企业统一社会信用代码' names neither a column nor a default")
        #expect(error?.record == "agent.toml:\(Self.line(of: "开发企业", in: config))")
    }

    @Test("an item mapped twice is refused at its second line")
    func mappedTwice() {
        let config = MappingFixtures.housingConfig + "\n\n[[map]]\nitem = \"合同编号\"\ncolumn = \"note\"\n"
        let error = #expect(throws: InvalidInput.self) { try MappingFixtures.outgoing(config) }
        #expect(error?.reason == "'合同编号' is mapped more than once")
        let lines = config.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(error?.record == "agent.toml:\(lines.lastIndex { $0.contains("合同编号") }! + 1)")
    }

    @Test("a conversion that cannot produce the item's type is refused")
    func conversionTypeMismatch() {
        let config = MappingFixtures.housingConfig.replacingOccurrences(of: "convert = \"decimal:元\"", with: "convert = \"date:excel\"")
        let error = #expect(throws: InvalidInput.self) { try MappingFixtures.outgoing(config) }
        #expect(error?.reason == "convert = \"date:excel\" does not make values for '建筑面积', a decimal item")
    }

    @Test("codes that map to values outside the code table are refused")
    func codesOutsideTable() {
        let config = MappingFixtures.single(#"codes = { "男" = "M" }"#, item: "性别代码")
        let error = #expect(throws: InvalidInput.self) {
            try MappingFixtures.outgoing(config, columns: MappingFixtures.singleColumns, code: "RK-001", items: ["公民身份号码", "性别代码"])
        }
        #expect(error?.reason == "codes maps '男' to 'M', which is not in GB/T 2261.1 人的性别代码 of '性别代码'")
        #expect(error?.record == "agent.toml:\(Self.line(of: "性别代码", in: config))")
    }

    @Test("a provider default that its conversion cannot read is refused")
    func badDefault() {
        let config = MappingFixtures.single("convert = \"date:YYYYMMDD\"\ndefault = \"1900-01-01\"")
        let error = #expect(throws: InvalidInput.self) {
            try MappingFixtures.outgoing(config, columns: MappingFixtures.singleColumns, code: "RK-001", items: ["公民身份号码", "出生日期"])
        }
        #expect(error?.reason == "default '1900-01-01' of '出生日期' is not a date in YYYYMMDD")
    }

    @Test("codes with two local values for one code are refused on the consumer side only")
    func ambiguousInverse() throws {
        let config = MappingFixtures.single(#"codes = { "男" = "1", "M" = "1" }"#, item: "性别代码")
        let items = ["公民身份号码", "性别代码"]
        _ = try MappingFixtures.outgoing(config, columns: MappingFixtures.singleColumns, code: "RK-001", items: items)
        let error = #expect(throws: InvalidInput.self) {
            try MappingFixtures.incoming(config, columns: MappingFixtures.singleColumns, code: "RK-001", items: items)
        }
        #expect(error?.reason.hasPrefix("codes maps both 'M' and '男' to '1'") == true)
    }

    @Test("an agreed required item that reaches no column is refused on the consumer side")
    func incomingRequiredUnmapped() {
        let config = MappingFixtures.single("", item: "住址")
        let error = #expect(throws: InvalidInput.self) {
            try MappingFixtures.incoming(config, columns: MappingFixtures.singleColumns, code: "RK-001", items: ["公民身份号码", "姓名"])
        }
        #expect(error?.reason == "'姓名' is required in RK-001 and agreed, but no column receives it")
    }

    @Test("an unknown conversion is refused when the config is read, listing the ones that exist")
    func unknownConversion() {
        let config = MappingFixtures.single(#"convert = "date:DD.MM.YYYY""#)
        let error = #expect(throws: InvalidInput.self) { try MappingFixtures.mappings(config) }
        #expect(error?.reason.hasPrefix("unknown conversion 'date:DD.MM.YYYY'; use one of: date:YYYYMMDD") == true)
        #expect(error?.record == "agent.toml:\(Self.line(of: "convert", in: config))")
    }

    @Test("trim and halfwidth default to true when the config leaves them out")
    func decodingDefaults() throws {
        let mapping = try MappingFixtures.mappings(MappingFixtures.single("required = true"))[1]
        #expect(mapping == FieldMapping(item: "出生日期", column: "local", required: true, trim: true, halfwidth: true))
    }
}
