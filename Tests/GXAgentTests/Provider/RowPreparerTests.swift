import GXCrypto
import GXDomain
import GXTestSupport
import Testing
@testable import GXAgent

/// A snapshot pass's preparing worker on a CSV export read as bytes, against the same export read as text:
/// the same rows kept (line, key, digest) and the same rows quarantined with the same violations.
@Suite("Preparing rows from bytes")
struct RowPreparerTests {
    static let columns = ["sfzh", "xm", "xb", "mz", "csrq", "zz", "zt"]

    static func rules() throws -> (RecordMapper, RecordValidator) {
        let entry = try #require(try SampleDocuments.catalogue()["RK-001"])
        let items = entry.items.map(\.name)
        let map = [
            FieldMapping(item: "公民身份号码", column: "sfzh"),
            FieldMapping(item: "姓名", column: "xm"),
            FieldMapping(item: "性别代码", column: "xb", codes: ["男": "1", "女": "2"]),
            FieldMapping(item: "民族代码", column: "mz"),
            FieldMapping(item: "出生日期", column: "csrq", convert: .dateCompact),
            FieldMapping(item: "住址", column: "zz"),
            FieldMapping(item: "人员状态代码", column: "zt", codes: ["正常": "0", "注销": "1", "迁出": "2", "死亡": "9"], default: "正常"),
        ]
        return (try RecordMapper.outgoing(map, columns: columns, columnsSource: "people.csv", entry: entry, items: items,
                                          configText: "", configSource: "agent.toml"),
                try RecordValidator(entry: entry, items: items))
    }

    /// A CSV field, quoted when it must be.
    static func field(_ value: String?) -> String {
        guard let value else { return "" }
        if value.isEmpty || value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
            return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return value
    }

    /// Valid rows with bad ones planted at known rows, and rows the byte path must leave to the String path.
    static func export(rows: Int) -> (text: String, planted: Set<Int>) {
        var text = columns.joined(separator: ",") + "\r\n"
        var planted = Set<Int>()
        var random = SeededRandom(seed: 0x9A55)
        for number in 1...rows {
            var row: [String?] = [PopulationBatch.citizenID(number), "张三\(number)", number % 2 == 0 ? "女" : "男", "01",
                                  "19800101", "北京市东城区东华门街道\(number)号", number % 5 == 0 ? nil : "正常"]
            switch Int.random(in: 0..<12, using: &random) {
            case 0:  // a wrong check character
                row[0] = String(row[0]!.dropLast()) + (row[0]!.hasSuffix("0") ? "1" : "0")
                planted.insert(number)
            case 1:  // no such day
                row[4] = "19800230"
                planted.insert(number)
            case 2:  // not in the mapping's codes
                row[2] = "M"
                planted.insert(number)
            case 3:  // a required name left empty, or blank
                row[1] = Bool.random(using: &random) ? nil : " \u{3000}"
                planted.insert(number)
            case 4:  // a control character
                row[5] = "北京市\u{1}东城区"
                planted.insert(number)
            case 5:  // fine once cleaned: full-width digits, ideographic and no-break spaces
                row[4] = "１９８００１０１"
                row[1] = "\u{3000}张三\u{A0}"
            case 6:  // fine: padded, quotes and commas, a value in another normal form
                row[5] = " \"东华门\",1号\t"
                row[2] = " 女"
            case 7:  // longer than 50 characters
                row[1] = String(repeating: "长", count: 51)
                planted.insert(number)
            default: break
            }
            text += row.map(field).joined(separator: ",") + (number % 3 == 0 ? "\n" : "\r\n")
        }
        return (text, planted)
    }

    /// Each row's outcome as comparable text: its row number and line, key and digest, or its violation.
    static func outcomes(_ results: [Result<SnapshotRow, RecordViolation>]) -> [String] {
        results.enumerated().map { index, result in
            switch result {
            case .success(let row):
                let digest = row.digest.withUnsafeBytes { Array($0) }
                return "\(index + 1) \(String(decoding: row.line, as: UTF8.self)) key \(row.key.debugDescription) digest \(digest)"
            case .failure(let violation):
                return "\(index + 1) \(violation) value \(violation.value.debugDescription)"
            }
        }
    }

    @Test("a CSV export prepared from bytes keeps and quarantines the same rows as from text, with the same lines and violations")
    func bytesAgreeWithText() throws {
        let scratch = try LocalDataScratch()
        let (text, planted) = Self.export(rows: 600)
        let path = try scratch.write("people.csv", text)
        let source = try CSVSource(path: path, keyColumns: ["sfzh"])
        let keyIndices = try Self.rules().1.keyIndices

        let fromText = RowPreparer(rules: try Self.rules(), keyIndices: keyIndices, digester: LineDigester(.sm3), bytes: false)
        var textResults: [Result<SnapshotRow, RecordViolation>] = []
        try source.scan(after: nil) { textResults.append(fromText.prepare(.text($0)).outcome) }

        let fromBytes = RowPreparer(rules: try Self.rules(), keyIndices: keyIndices, digester: LineDigester(.sm3), bytes: true)
        var byteResults: [Result<SnapshotRow, RecordViolation>] = []
        try source.scanBytes { byteResults.append(fromBytes.prepare(.bytes($0, nil)).outcome) }

        #expect(textResults.count == 600)
        let expected = Self.outcomes(textResults)
        let actual = Self.outcomes(byteResults)
        #expect(actual.count == expected.count)
        for (got, want) in zip(actual, expected) { #expect(got == want) }
        // The planted rows, and only they, are quarantined.
        let quarantined = Set(textResults.indices.filter { if case .failure = textResults[$0] { true } else { false } }.map { $0 + 1 })
        #expect(quarantined == planted)
        #expect(planted.count > 100)
    }

    @Test("a plain row is prepared on bytes to the line the String path writes, under the key of its mapped value")
    func plainRow() throws {
        let keyIndices = try Self.rules().1.keyIndices
        let preparer = RowPreparer(rules: try Self.rules(), keyIndices: keyIndices, digester: LineDigester(.sha256), bytes: true)
        let values: [String?] = [PopulationBatch.citizenID(7), "张三", "男", "01", "19800101", "北京市", nil]
        let row = try preparer.prepare(.bytes(RowBytes(values), nil)).outcome.get()
        let expected = #"["u","\#(PopulationBatch.citizenID(7))","张三","1","01","1980-01-01","北京市",null,"0",null,null]"# + "\n"
        #expect(String(decoding: row.line, as: UTF8.self) == expected)
        #expect(row.key == PopulationBatch.citizenID(7))
    }
}

private extension PreparedRow {
    /// The prepared row or its violation; recalled rows have none (no test here prepares them).
    var outcome: Result<SnapshotRow, RecordViolation> {
        guard case .prepared(let outcome, _) = self else { fatalError("rows recalled from the last pass are not prepared") }
        return outcome
    }
}
