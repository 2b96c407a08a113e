import GXDomain
import GXTestSupport
import Testing

@Suite("Mapping incoming records from their lines, as bytes")
struct RecordMapperLinesTests {
    /// Values a delivery may carry: valid ones for the fixtures' codes and conversions, and strings that need
    /// escapes in JSON or in COPY text, non-BMP characters, empty strings and nulls.
    static let pool: [String?] = [
        nil, "", "1", "2", "9", "男", "0", "01", "2024-01-05", "2024-02-30", "20240105", "2026-03-15", "350", "3500000", "1.5", "-2.5", "abc",
        "李四", "广州市天河区天河路1号101房", "say \"hi\"", "back\\slash", "tab\there", "new\nline", "cr\rlf", "\u{1}\u{1F}", "😀𠀀",
        " 前后空格 ", "Ａ１", "370101190102039973", "34052419800101001X", "\u{2028}",
    ]

    /// What `mapIncoming` hands over, as values (bytes decoded), or the violation it throws.
    static func mappedFromLine(_ mapper: RecordMapper, _ values: [String?]) throws -> Result<[String?], RecordViolation> {
        var tokens: [Int] = []
        let line = CanonicalRecord(operation: .upsert, values: values).canonicalLine.dropLast()
        let checked = try CanonicalRecordLine(checking: line, valueCount: values.count, tokens: &tokens)
        var mapped: [String?] = []
        do {
            try mapper.mapIncoming(checked) { column, value in
                #expect(column == mapped.count)
                switch value {
                case .null: mapped.append(nil)
                case .bytes(let bytes): mapped.append(String(decoding: bytes, as: UTF8.self))
                case .text(let text): mapped.append(text)
                }
            }
        } catch let violation as RecordViolation {
            return .failure(violation)
        }
        return .success(mapped)
    }

    static func mappedFromValues(_ mapper: RecordMapper, _ values: [String?]) -> Result<[String?], RecordViolation> {
        do throws(RecordViolation) { return .success(try mapper.map(values)) } catch { return .failure(error) }
    }

    static func mappers() throws -> [(String, RecordMapper, Int)] {
        let housing = try ExchangeFixtures.entry("FC-001").items.count
        var mappers: [(String, RecordMapper, Int)] = [("housing", try MappingFixtures.incoming(), housing)]
        for lines in ["", #"convert = "date:YYYYMMDD""#, #"convert = "date:excel""#, #"default = "不详""#] {
            mappers.append((lines, try MappingFixtures.incoming(MappingFixtures.single(lines), columns: MappingFixtures.singleColumns, code: "RK-001",
                                                               items: ["公民身份号码", "出生日期"]), 2))
        }
        mappers.append(("codes", try MappingFixtures.incoming(MappingFixtures.single(#"codes = { "男" = "1", "女" = "2" }"#, item: "性别代码"),
                                                              columns: MappingFixtures.singleColumns, code: "RK-001", items: ["公民身份号码", "性别代码"]), 2))
        return mappers
    }

    @Test("every incoming record mapped from its line gives what mapping its decoded values gives, value or violation")
    func lineMappingAgreesWithValueMapping() throws {
        var random = SeededRandom(seed: 20261204)
        for (name, mapper, count) in try Self.mappers() {
            for _ in 0..<2_000 {
                let values = (0..<count).map { _ in Self.pool[Int(random.next() % UInt64(Self.pool.count))] }
                let fromLine = try Self.mappedFromLine(mapper, values)
                let fromValues = Self.mappedFromValues(mapper, values)
                #expect(fromLine == fromValues, "\(name): \(values)")
            }
        }
    }

    @Test("a plain column hands over the value's bytes, one with an escape or a conversion a decoded value")
    func plainColumnsTravelAsBytes() throws {
        let mapper = try MappingFixtures.incoming(MappingFixtures.single(#"convert = "date:YYYYMMDD""#), columns: MappingFixtures.singleColumns,
                                                  code: "RK-001", items: ["公民身份号码", "出生日期"])
        var kinds: [String] = []
        var tokens: [Int] = []
        for values: [String?] in [["34052419800101001X", "2024-01-05"], ["say \"hi\"", nil]] {
            let line = CanonicalRecord(operation: .upsert, values: values).canonicalLine.dropLast()
            try mapper.mapIncoming(try CanonicalRecordLine(checking: line, valueCount: 2, tokens: &tokens)) { _, value in
                switch value {
                case .null: kinds.append("null")
                case .bytes: kinds.append("bytes")
                case .text: kinds.append("text")
                }
            }
        }
        #expect(kinds == ["bytes", "text", "text", "null"])
    }
}
