import Foundation
import GXDomain
import GXTestSupport
import Testing
@testable import GXAgent

@Suite("Records to verify, collected from a CSV export")
struct VerificationRecordsTests {
    static let items = PopulationMapping.items

    /// The same CSV export, offered only as text (as a database source is).
    struct TextOnly: RecordSource {
        let source: CSVSource
        func columns() throws(LocalDataError) -> [String] { try source.columns() }
        func scan(after: SourceCursor?, _ body: (SourceRow) throws -> Void) async throws { try source.scan(after: after, body) }
    }

    /// Rows that go on bytes, rows the byte path leaves to the String path (full-width, U+3000, escapes), and
    /// rows that do not validate.
    static func export(_ count: Int) -> String {
        var random = SeededRandom(seed: 99)
        var text = "sfzh,xm,csrq\n"
        for serial in 0..<count {
            let id = PopulationBatch.citizenID(serial)
            let names = ["张三", "李四", " 王五 ", "Ｚｈａｏ", "\u{3000}赵六", "\"say \"\"hi\"\"\"", "back\\slash", ""]
            let dates = ["19800101", "20240229", "20230229", "1980-01-01", ""]
            let name = names[Int(random.next() % UInt64(names.count))]
            let date = dates[Int(random.next() % UInt64(dates.count))]
            text += "\(random.next() % 11 == 0 ? "bad-id" : id),\(name),\(date)\n"
        }
        return text
    }

    static func collect(_ source: any RecordSource, scratch: LocalDataScratch, name: String) async throws -> (VerificationRecords.Outcome, [[UInt8]]) {
        let entry = try PopulationMapping.entry()
        let map = try PopulationMapping.fields()
        let sorted = try SortedRecords(directory: scratch.file(name), memoryBudget: 1 << 16, keyring: nil)
        defer { sorted.discard() }
        let outcome = try await VerificationRecords(entry: entry, items: items, keyCount: 1)
            .collect(source, map: map, label: "export.csv", configText: PopulationMapping.config, configSource: "agent.toml", into: sorted)
        let reader = try sorted.reader()
        var lines: [[UInt8]] = []
        while let next = try reader.next() {
            // The key handed out must be the line's leading values exactly.
            #expect(Array(next.line.dropFirst(5).prefix(next.key.count)) == Array(next.key))
            lines.append(Array(next.line))
        }
        return (outcome, lines)
    }

    @Test("an export read as bytes gives the records, keys and refusals that reading it as text gives")
    func bytesAgreeWithText() async throws {
        let scratch = try LocalDataScratch()
        let path = try scratch.write("export.csv", Self.export(3_000))
        let (fromBytes, bytesLines) = try await Self.collect(try CSVSource(path: path, keyColumns: ["sfzh"]), scratch: scratch, name: "bytes")
        let (fromText, textLines) = try await Self.collect(TextOnly(source: try CSVSource(path: path, keyColumns: ["sfzh"])), scratch: scratch, name: "text")
        #expect(fromBytes.rows == 3_000 && fromText.rows == 3_000)
        #expect(fromBytes.invalid == fromText.invalid && fromBytes.invalid > 0)
        #expect(fromBytes.firstProblem == fromText.firstProblem)
        #expect(bytesLines == textLines)
    }

    @Test("the key's length in a line is measured as the encoding measures it, escapes and nulls included",
          arguments: [["a"], ["say \"hi\"", "x"], ["back\\slash", nil, "z"], [nil, "二"]] as [[String?]])
    func leadingLength(_ values: [String?]) {
        let record = CanonicalRecord(operation: .upsert, values: values + ["tail"])
        var line: [UInt8] = []
        let measured = record.write(into: &line, measuringLeading: values.count)
        #expect(VerificationRecords.leadingLength(of: line, values: values.count) == measured)
    }
}
