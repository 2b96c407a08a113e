import GXDomain
import GXTestSupport
import Testing
@testable import GXAgent

/// The CSV source's byte rows (the provider's byte path) against its `String` rows.
@Suite("CSV source as bytes")
struct CSVByteRowTests {
    /// Every row of a scan, or the error that stopped it.
    private struct Outcome: Equatable {
        var rows: [[String?]] = []
        var error: String?
    }

    private func textScan(_ source: CSVSource) -> Outcome {
        var outcome = Outcome()
        do { try source.scan(after: nil) { outcome.rows.append($0.values) } } catch { outcome.error = "\(error)" }
        return outcome
    }

    private func byteScan(_ source: CSVSource) -> Outcome {
        var outcome = Outcome()
        do { try source.scanBytes { outcome.rows.append($0.values) } } catch { outcome.error = "\(error)" }
        return outcome
    }

    @Test("byte rows hold each field's unescaped bytes, an empty unquoted field absent and a quoted one empty")
    func fields() throws {
        let scratch = try LocalDataScratch()
        let path = try scratch.write("people.csv", "id,name,note\r\n1,\"张 \"\"三\"\"\",\r\n2,\"\",\"a,\nb\"\r\n")
        var rows: [RowBytes] = []
        try CSVSource(path: path, keyColumns: ["id"]).scanBytes { rows.append($0) }
        #expect(rows.map(\.values) == [["1", "张 \"三\"", nil], ["2", "", "a,\nb"]])
        #expect(rows[0].isAbsent(2) && !rows[1].isAbsent(1))
    }

    @Test("bytes that are not UTF-8 are refused with the same error as the String rows")
    func invalidUTF8() throws {
        let scratch = try LocalDataScratch()
        let path = try scratch.write("people.csv", Array("id,name\n1,ok\n2,\"".utf8) + [0xD5, 0x22, 0x22, 0xC5] + Array("\"\n".utf8))
        let source = try CSVSource(path: path, keyColumns: ["id"])
        let bytes = byteScan(source)
        #expect(bytes.error?.contains("\(path):3") == true)
        #expect(bytes.error?.contains("field 2 is not valid UTF-8") == true)
        #expect(bytes == textScan(source))
    }

    /// Fragments a generated field is made of: the awkward cases of a CSV export.
    private static let fragments: [[UInt8]] = [
        "a", "7", "张三", " ", "\t", "\u{3000}", "Ｇ", "😀", "e\u{301}", ",", "\"", "\n", "\r\n", "\r", "\u{1F}", "\u{0}", "",
    ].map { Array($0.utf8) } + [[0xFF], [0xED, 0xA0, 0x80], [0xC0, 0x80], [0xE4, 0xB8], [0xF4, 0x90, 0x80, 0x80], [0xEF, 0xBB, 0xBF]]

    private static func field(_ random: inout SeededRandom, flawed: Bool) -> [UInt8] {
        switch Int.random(in: 0..<10, using: &random) {
        case 0: return []
        case 1: return Array("\"\"".utf8)
        default: break
        }
        var raw: [UInt8] = []
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let fragment = fragments.randomElement(using: &random)!
            // Mostly valid text; now and then a broken byte sequence.
            let broken = String(validating: fragment, as: UTF8.self) == nil
            if broken, !flawed || Int.random(in: 0..<4, using: &random) != 0 { continue }
            raw += fragment
        }
        let special: Set<UInt8> = [UInt8(ascii: ","), UInt8(ascii: "\""), 0x0A, 0x0D]
        let needsQuotes = raw.contains(where: special.contains)
        // Now and then a field left unquoted that needed quotes: the same error either way.
        let quoted = needsQuotes ? !flawed || Int.random(in: 0..<20, using: &random) != 0 : Bool.random(using: &random)
        if quoted {
            var field: [UInt8] = [UInt8(ascii: "\"")]
            for byte in raw {
                if byte == UInt8(ascii: "\"") { field.append(byte) }
                field.append(byte)
            }
            field.append(UInt8(ascii: "\""))
            return field
        }
        return raw
    }

    @Test("for random exports, the byte rows are the String rows, or both stop with the same error")
    func randomExports() throws {
        let scratch = try LocalDataScratch()
        var whole = 0, stopped = 0
        for seed in 0..<200 as Range<UInt64> {
            var random = SeededRandom(seed: 0xB17E5 &+ seed)
            var file = Array("id,a,b\n".utf8)
            // Half the exports are well-formed; the others hold broken bytes, stray quotes, ragged rows, empty keys.
            let flawed = Bool.random(using: &random)
            for _ in 0..<Int.random(in: 1...12, using: &random) {
                var fields = [Self.field(&random, flawed: flawed), Self.field(&random, flawed: flawed), Self.field(&random, flawed: flawed)]
                if fields[0].isEmpty, !flawed || Int.random(in: 0..<3, using: &random) != 0 { fields[0] = Array("k".utf8) }
                if flawed, Int.random(in: 0..<40, using: &random) == 0 { fields.removeLast() }
                file += fields.joined(separator: [UInt8(ascii: ",")]) + (Bool.random(using: &random) ? [0x0D, 0x0A] : [0x0A])
            }
            let path = try scratch.write("export-\(seed).csv", file)
            for chunkSize in [1, 7, CSVReader.defaultChunkSize] {
                let source = try CSVSource(path: path, keyColumns: ["id"], chunkSize: chunkSize)
                let text = textScan(source)
                #expect(byteScan(source) == text, "seed \(seed), chunk size \(chunkSize)")
                if chunkSize == 1 {
                    if text.error == nil { whole += 1 } else { stopped += 1 }
                }
            }
        }
        // Both kinds of export must come up often for the comparison to mean something.
        #expect(whole > 40 && stopped > 40, "\(whole) read whole, \(stopped) stopped")
    }
}
