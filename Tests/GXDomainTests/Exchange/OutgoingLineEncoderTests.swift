import GXTestSupport
import Testing
@testable import GXDomain

/// The provider's byte path (`OutgoingLineEncoder`, falling back to the `String` path for any row it leaves)
/// against the `String` path (`RecordMapper.map`, `RecordValidator.violation(in:)`, `CanonicalRecord.write`),
/// over the mappings and validations the mapper and validator tests use.
@Suite("Mapping, checking and encoding a row as bytes")
struct OutgoingLineEncoderTests {
    /// A provider mapping with the rows it reads.
    struct Configuration: CustomTestStringConvertible, Sendable {
        var name: String
        var config: String
        var columns: [String]
        var code: String
        var items: [String]?
        /// A row every rule accepts, which random rows vary.
        var plainRow: [String?]
        var testDescription: String { name }

        /// One item of RK-001 mapped from column `local` (`MappingFixtures.single`).
        static func single(_ name: String, _ lines: String, item: String, plain: String) -> Configuration {
            Configuration(name: name, config: MappingFixtures.single(lines, item: item), columns: MappingFixtures.singleColumns,
                          code: "RK-001", items: ["公民身份号码", item], plainRow: ["34052419800101001X", plain])
        }

        /// Every item of `code` from a column of its own name, unconverted, checked by the whole entry.
        static func identity(_ code: String) throws -> Configuration {
            let entry = try ExchangeFixtures.entry(code)
            let config = entry.items.map { "[[map]]\nitem = \"\($0.name)\"\ncolumn = \"\($0.name)\"\n" }.joined(separator: "\n")
            return Configuration(name: "\(code) unconverted", config: config, columns: entry.items.map(\.name), code: code, items: nil,
                                 plainRow: entry.items.map { ExchangeFixtures.valid[code]?[$0.name] })
        }

        func rules() throws -> (RecordMapper, RecordValidator) {
            let entry = try ExchangeFixtures.entry(code)
            let items = items ?? entry.items.map(\.name)
            return (try MappingFixtures.outgoing(config, columns: columns, code: code, items: items),
                    try RecordValidator(entry: entry, items: items))
        }
    }

    static func configurations() throws -> [Configuration] {
        let dateCompact = #"convert = "date:YYYYMMDD""#
        return [
            Configuration(name: "FC-001 housing", config: MappingFixtures.housingConfig, columns: MappingFixtures.housingColumns,
                          code: "FC-001", items: nil, plainRow: MappingFixtures.housingRow()),
            Configuration(name: "FC-001 housing, some items", config: MappingFixtures.housingConfig, columns: MappingFixtures.housingColumns,
                          code: "FC-001", items: ["建筑面积", "不动产单元号", "规划用途", "成交价格", "登记日期", "买方证件类型"],
                          plainRow: MappingFixtures.housingRow()),
            .single("date:YYYYMMDD", dateCompact, item: "出生日期", plain: "19800101"),
            .single("date:YYYY-MM-DD", #"convert = "date:YYYY-MM-DD""#, item: "出生日期", plain: "1980-01-01"),
            .single("date:excel", #"convert = "date:excel""#, item: "出生日期", plain: "1980/1/1"),
            .single("text, trimmed and half-width", "", item: "姓名", plain: "张三"),
            .single("text as it is", "trim = false\nhalfwidth = false", item: "姓名", plain: "张三"),
            .single("text trimmed only", "halfwidth = false", item: "姓名", plain: "张三"),
            .single("text half-width only", "trim = false", item: "姓名", plain: "张三"),
            .single("codes", #"codes = { "男" = "1", "女" = "2", "未知" = "0" }"#, item: "性别代码", plain: "男"),
            .single("codes of any length and form", #"codes = { "男" = "1", "已婚有配偶" = "2", "\u00E9" = "9" }"#, item: "性别代码",
                    plain: "已婚有配偶"),
            .single("code table item", "", item: "民族代码", plain: "01"),
            .single("a long code table", "codes = { " + (1...40).map { "\"族\($0)\" = \"\(String(format: "%02d", $0))\"" }.joined(separator: ", ") + " }",
                    item: "民族代码", plain: "族7"),
            .single("optional text", "", item: "住址", plain: "北京市东城区"),
            .single("required by the mapping", "required = true", item: "住址", plain: "北京市东城区"),
            Configuration(name: "a default with no column", config: MappingFixtures.single(dateCompact)
                              + "\n\n[[map]]\nitem = \"人员状态代码\"\ndefault = \"0\"\n",
                          columns: MappingFixtures.singleColumns, code: "RK-001", items: ["公民身份号码", "出生日期", "人员状态代码"],
                          plainRow: ["34052419800101001X", "19800101"]),
            try .identity("FR-001"),
            try .identity("RK-001"),
            try .identity("FC-001"),
        ]
    }

    /// What a row comes to: its line and catalogue values, or the violation that quarantines it.
    enum Outcome: Equatable, CustomStringConvertible {
        case line(String, values: [String?])
        case violation(RecordViolation)

        var description: String {
            switch self {
            case .line(let line, let values): "line \(line.debugDescription) \(values)"
            case .violation(let violation): "violation \(violation) value \(violation.value.debugDescription)"
            }
        }
    }

    static func stringPath(_ row: [String?], _ mapper: RecordMapper, _ validator: RecordValidator) -> Outcome {
        do {
            let record = CanonicalRecord(operation: .upsert, values: try mapper.map(row))
            if let violation = validator.violation(in: record) { return .violation(violation) }
            return .line(String(decoding: record.canonicalLine, as: UTF8.self), values: record.values)
        } catch {
            return .violation(error)
        }
    }

    /// The byte path's outcome, and whether the encoder took the row (rather than the `String` path).
    static func bytePath(_ row: [String?], _ encoder: OutgoingLineEncoder, _ mapper: RecordMapper,
                         _ validator: RecordValidator) -> (Outcome, onBytes: Bool) {
        let before: [UInt8] = Array("earlier line\n".utf8)
        var line = before
        guard encoder.encode(RowBytes(row), into: &line) else {
            #expect(line == before, "a row the encoder leaves must leave the line as it was")
            return (stringPath(row, mapper, validator), false)
        }
        #expect(line.starts(with: before))
        return (.line(String(decoding: line.dropFirst(before.count), as: UTF8.self), values: encoder.values.values), true)
    }

    // MARK: Generated values

    /// Values that mean something to some mapping: dates, numbers, codes, identifiers, names, valid or not.
    static let pool: [String] = [
        "19800101", "20240105", "20240230", "2024015", "2024010a", "2024-01-05", "2024-1-5", "2024-02-29", "2023-02-29", "1980-01-01",
        "1980/1/1", "2024/1/5", "2024年1月5日", "45296", "45296.0", "45296.5", "60", "2024-01-05 08:30:00", "2024-01-05T08:30:00",
        "89.50", "89.5", "+089", "1,234,567.00", "1.5", "350", "0.00001", "-2.5", "-0.0", "-0", "0", "007", "+12.00", ".5", "1e3",
        "1,23", "--1", ".", "1.2.3", "123456789.123456789", "99999999999999999999.5",
        "男", "女", "未知", "M", "族1", "族39", "族40", "族41", "族７", "住宅", "商业", "其他", "已婚有配偶", "男性", "e\u{301}", "\u{E9}", "01", "1", "2", "9", "10", "156",
        "34052419800101001X", "370101190102039973", "11010519491231002Y", "91330110MA2CC1X505", "91330100716105852F",
        "440106001001GB00001F00010001", "71610585-2", "330100", "I6510", "0571-88888888",
        "张三", "李四", "广州市天河区天河路1号101房", "北京市东城区", "GZ-2026-000123", "ＧＺ－２０２６（Ａ）　Ｎｏ．１", "ＧＺ１", "２０２４０１０５",
        "〇一二", "a\"b\\c", "tab\there", "line\nbreak", "bell\u{7}", "del\u{7F}", "\u{1F}unit", "😀", "𠀀𠀁", "", " ", "\u{3000}",
        String(repeating: "长", count: 60), String(repeating: "x", count: 300), "e\u{301}\u{301}\u{301}",
    ]

    static let spaces: [String] = [" ", "  ", "\t", "\r", "\n", "\r\n", "\u{B}", "\u{C}", "\u{3000}", "\u{A0}", "\u{85}", "\u{1680}",
                                   "\u{2003}", "\u{2028}", "\u{202F}", "\u{205F}", "\u{180E}", "\u{200B}", "\u{FEFF}", "\u{1C}", "\u{1F}"]

    /// `value` made awkward now and then: padded with white space of any kind, made full-width, cut short.
    static func vary(_ value: String, _ random: inout SeededRandom) -> String {
        var value = value
        if Int.random(in: 0..<3, using: &random) == 0 { value = spaces.randomElement(using: &random)! + value }
        if Int.random(in: 0..<3, using: &random) == 0 { value += spaces.randomElement(using: &random)! }
        if Int.random(in: 0..<6, using: &random) == 0 {
            value = String(String.UnicodeScalarView(value.unicodeScalars.map { scalar in
                (0x21...0x7E).contains(scalar.value) && Bool.random(using: &random) ? Unicode.Scalar(scalar.value + 0xFEE0)! : scalar
            }))
        }
        if Int.random(in: 0..<10, using: &random) == 0, !value.isEmpty {
            value = String(value.prefix(Int.random(in: 0..<value.count, using: &random)))
        }
        return value
    }

    static func randomRow(_ configuration: Configuration, _ random: inout SeededRandom) -> [String?] {
        var row = configuration.plainRow
        // Most rows change a column or two of a plain row, so both plain and broken rows come often.
        for _ in 0..<Int.random(in: 0...3, using: &random) {
            let column = Int.random(in: 0..<row.count, using: &random)
            switch Int.random(in: 0..<8, using: &random) {
            case 0: row[column] = nil
            case 1: row[column] = row[column].map { vary($0, &random) }
            default: row[column] = vary(pool.randomElement(using: &random)!, &random)
            }
        }
        return row
    }

    // MARK: Tests

    @Test("random and edge-case rows give the String path's line and values, or its violation", arguments: try configurations())
    func agreesWithStringPath(_ configuration: Configuration) throws {
        let (mapper, validator) = try configuration.rules()
        let encoder = OutgoingLineEncoder(mapper: mapper, validator: validator)
        var random = SeededRandom(seed: UInt64(truncatingIfNeeded: configuration.name.utf8.reduce(7) { $0 &* 31 &+ Int($1) }))
        var onBytes = 0
        let rows = 3000
        for _ in 0..<rows {
            let row = Self.randomRow(configuration, &random)
            let (outcome, took) = Self.bytePath(row, encoder, mapper, validator)
            #expect(outcome == Self.stringPath(row, mapper, validator), "\(row)")
            if took { onBytes += 1 }
        }
        // The encoder must carry a good share of the rows, not leave them all to the String path.
        #expect(onBytes > rows / 10, "\(onBytes) of \(rows) rows on bytes")
    }

    @Test("a plain row is encoded on bytes, to the String path's line", arguments: try configurations())
    func plainRowOnBytes(_ configuration: Configuration) throws {
        let (mapper, validator) = try configuration.rules()
        let encoder = OutgoingLineEncoder(mapper: mapper, validator: validator)
        let (outcome, onBytes) = Self.bytePath(configuration.plainRow, encoder, mapper, validator)
        #expect(onBytes)
        #expect(outcome == Self.stringPath(configuration.plainRow, mapper, validator))
        guard case .line = outcome else {
            Issue.record("the plain row is refused: \(outcome)")
            return
        }
    }

    @Test("every value of a pool column, varied, agrees on its own", arguments: try configurations())
    func everyPoolValue(_ configuration: Configuration) throws {
        let (mapper, validator) = try configuration.rules()
        let encoder = OutgoingLineEncoder(mapper: mapper, validator: validator)
        var random = SeededRandom(seed: 0x5EED)
        for column in configuration.columns.indices {
            for value in Self.pool + Self.spaces {
                for variant in [value, Self.vary(value, &random), " \(value)\t", "\u{3000}\(value)"] {
                    var row = configuration.plainRow
                    row[column] = variant
                    let (outcome, _) = Self.bytePath(row, encoder, mapper, validator)
                    #expect(outcome == Self.stringPath(row, mapper, validator), "\(configuration.columns[column]) = \(variant.debugDescription)")
                }
            }
        }
    }

    @Test("a row with the wrong number of columns is left to the String path, which names it")
    func wrongColumnCount() throws {
        let (mapper, validator) = try Self.configurations()[0].rules()
        let encoder = OutgoingLineEncoder(mapper: mapper, validator: validator)
        let row = Array(MappingFixtures.housingRow().dropLast())
        let (outcome, onBytes) = Self.bytePath(row, encoder, mapper, validator)
        #expect(!onBytes)
        #expect(outcome == .violation(RecordViolation(item: "record", rule: "14 columns, expected 15", value: nil)))
    }

    @Test("each conversion reads bytes as it reads text", arguments: [
        ValueConversion.dateCompact, .dateDashed, .dateExcel, .dateTimeSpaced, .integer, .decimal(exponent: 0), .decimal(exponent: 4),
        .decimal(exponent: 8),
    ])
    func conversions(_ conversion: ValueConversion) {
        for value in Self.pool {
            var copy = value
            let fromBytes = copy.withUTF8 { conversion.catalogueValue(fromLocalUTF8: $0) }
            #expect(fromBytes == conversion.catalogueValue(fromLocal: value), "\(value.debugDescription)")
        }
    }
}

@Suite("Cleaning local text on bytes")
struct LocalTextBytesTests {
    @Test("where the byte clean-up decides, it gives what the String clean-up gives", arguments: [(false, false), (false, true), (true, false), (true, true)])
    func agreesWithCleaned(halfwidth: Bool, trim: Bool) {
        var random = SeededRandom(seed: 0xC1EA)
        var decided = 0
        for _ in 0..<20_000 {
            let value = OutgoingLineEncoderTests.vary(OutgoingLineEncoderTests.pool.randomElement(using: &random)!, &random)
            var copy = value
            guard let range = copy.withUTF8({ LocalText.cleanedRange($0, halfwidth: halfwidth, trim: trim) }) else { continue }
            decided += 1
            let bytes = Array(value.utf8)[range]
            #expect(String(decoding: bytes, as: UTF8.self) == LocalText.cleaned(value, halfwidth: halfwidth, trim: trim), "\(value.debugDescription)")
            #expect(Array(bytes) == Array(LocalText.cleaned(value, halfwidth: halfwidth, trim: trim).utf8), "\(value.debugDescription)")
        }
        #expect(decided > 10_000)
    }

    @Test("every non-ASCII white space scalar is one the byte clean-up leaves to the String path")
    func nonASCIIWhiteSpace() {
        for value in 0x80...0x10FFFF {
            guard let scalar = Unicode.Scalar(value), scalar.properties.isWhitespace else { continue }
            let bytes = Array(String(scalar).utf8)
            #expect(bytes.withUnsafeBufferPointer { LocalText.mayBeNonASCIIWhiteSpace($0, at: 0) }, "U+\(String(value, radix: 16))")
        }
    }
}
