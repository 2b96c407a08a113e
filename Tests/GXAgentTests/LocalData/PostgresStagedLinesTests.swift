import GXDomain
import GXTestSupport
import NIOCore
import Testing
@testable import GXAgent

@Suite("A PostgreSQL consumer staging upserts from delivery lines")
struct PostgresStagedLinesTests {
    static let items = PopulationMapping.items
    static let columns = PopulationMapping.columns
    static let pool: [String?] = [nil, "", "张三", "李四", "say \"hi\"", "back\\slash", "tab\there", "new\nline", "cr\rlf", "😀𠀀", "2024-01-05",
                                  "2024-02-30", "34052419800101001X", "\u{1}"]

    static func mapper() throws -> RecordMapper {
        try RecordMapper.incoming(try PopulationMapping.fields(), items: items, entry: try PopulationMapping.entry(), columns: columns,
                                  columnsSource: "test", configText: PopulationMapping.config, configSource: "agent.toml")
    }

    static func staging() -> PostgresStagedChanges {
        PostgresStagedChanges(location: "test", columnNames: columns, keyIndexes: [0])
    }

    static func bytes(_ staged: PostgresStagedChanges) -> [UInt8] {
        staged.close()
        return staged.chunks.flatMap { $0 }
    }

    /// Stages `values` from its line into `lines` and from its mapped values into `strings`; returns each
    /// side's refusal, if any.
    static func stage(_ values: [String?], mapper: RecordMapper, lines: PostgresStagedChanges, strings: PostgresStagedChanges) throws -> (String?, String?) {
        var tokens: [Int] = []
        let line = try CanonicalRecordLine(checking: CanonicalRecord(operation: .upsert, values: values).canonicalLine.dropLast(), valueCount: values.count,
                                           tokens: &tokens)
        var fromLine: String?, fromStrings: String?
        do { try lines.upsert(line: line, mapper: mapper) } catch { fromLine = "\(error)" }
        do { try strings.upsert(try mapper.map(values)) } catch { fromStrings = "\(error)" }
        return (fromLine, fromStrings)
    }

    @Test("upserts staged from lines are byte for byte the COPY text staged from mapped values, with the same refusals")
    func linesStageWhatValuesStage() throws {
        let mapper = try Self.mapper()
        var random = SeededRandom(seed: 42)
        let lines = Self.staging(), strings = Self.staging()
        var refused = 0
        for _ in 0..<3_000 {
            let values = Self.items.indices.map { _ in Self.pool[Int(random.next() % UInt64(Self.pool.count))] }
            let (fromLine, fromStrings) = try Self.stage(values, mapper: mapper, lines: lines, strings: strings)
            #expect(fromLine == fromStrings, "\(values)")
            if fromLine != nil { refused += 1 }
        }
        #expect(refused > 0, "no record was refused: the pool should hold bad dates and NULL keys")
        #expect(lines.count == strings.count)
        #expect(lines.hasRepeatedKeys == strings.hasRepeatedKeys)
        #expect(Self.bytes(lines) == Self.bytes(strings))
    }

    @Test("a key staged once from a line and once from values is seen as repeated")
    func repeatedKeyAcrossBothPaths() throws {
        let mapper = try Self.mapper()
        let staged = Self.staging()
        var tokens: [Int] = []
        let values: [String?] = ["34052419800101001X", "张三", "2024-01-05"]
        let line = try CanonicalRecordLine(checking: CanonicalRecord(operation: .upsert, values: values).canonicalLine.dropLast(), valueCount: 3,
                                           tokens: &tokens)
        try staged.upsert(line: line, mapper: mapper)
        #expect(!staged.hasRepeatedKeys)
        try staged.upsert(try mapper.map(values))
        #expect(staged.hasRepeatedKeys)
    }
}
