import Foundation
import GXDomain
import GXTestSupport
import Testing

@Suite("Data levels of catalogue items (GB/T 43697-2024)")
struct DataLevelTests {
    static let file = "Catalogue/RK-001-population.toml"

    /// The shipped population entry with the `level` line of item `name` removed or replaced.
    static func population(level name: String, replacedBy replacement: String?) throws -> String {
        let text = try SampleDocuments.text(file)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let at = try #require(lines.firstIndex(of: "name = \"\(name)\""))
        let level = try #require(lines[at...].firstIndex { $0.hasPrefix("level = ") })
        if let replacement { lines[level] = replacement } else { lines.remove(at: level) }
        return lines.joined(separator: "\n")
    }

    static func line(of prefix: String, after name: String, in text: String) -> Int {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let start = lines.firstIndex { $0 == "name = \"\(name)\"" }!
        return lines[start...].firstIndex { $0.hasPrefix(prefix) }! + 1
    }

    @Test("the three grades and an operator's sub-level parse; anything else does not")
    func parsing() {
        #expect(DataLevel("核心") == DataLevel(grade: .core))
        #expect(DataLevel("重要")?.isAboveGeneral == true)
        #expect(DataLevel("一般")?.isAboveGeneral == false)
        #expect(DataLevel("一般/2") == DataLevel(grade: .general, subLevel: "2"))
        #expect(DataLevel("重要/个人敏感")?.description == "重要/个人敏感")
        for bad in ["", "普通", "一般/", "一般/2/3", "一般/ 2", "一般/<b>", "一般/12345678901234567", "一般 ", "L1"] {
            #expect(DataLevel(bad) == nil, "\(bad)")
        }
        #expect(DataLevel.Grade.general < .important && DataLevel.Grade.important < .core)
    }

    @Test("every shipped catalogue item carries a level")
    func shippedItemsHaveLevels() throws {
        for entry in try SampleDocuments.catalogue().values {
            for item in entry.items { #expect(item.level != nil, "\(entry.resourceCode) \(item.name)") }
        }
        #expect(try SampleDocuments.catalogue()["RK-001"]?.item(named: "公民身份号码")?.level == DataLevel(grade: .important))
        #expect(try SampleDocuments.catalogue()["FC-001"]?.item(named: "买方证件号码")?.level == DataLevel(grade: .general, subLevel: "4"))
    }

    @Test("an item without a level is refused, naming the file, the item's line and the field")
    func missingLevelNamesFileAndLine() throws {
        let text = try Self.population(level: "住址", replacedBy: nil)
        let error = #expect(throws: InvalidInput.self) {
            try TOMLDocument.decode(CatalogueEntry.self, from: text, source: Self.file) { entry throws(InvalidInput) in try entry.validated() }
        }
        // 住址 is the sixth item: its [[items]] header is the line named.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        // The index (from 0) of its name line is the number (from 1) of the header line just before.
        let header = lines.firstIndex { $0 == "name = \"住址\"" }!
        #expect(error?.field == "items[5].level")
        #expect(error?.record == "\(Self.file):\(header) (catalogue entry RK-001)")
        #expect(error?.reason.contains("'住址' needs a data level") == true)
    }

    @Test("an unknown level is refused at its own line")
    func unknownLevelNamesLine() throws {
        let text = try Self.population(level: "出生日期", replacedBy: "level = \"机密\"")
        let error = #expect(throws: InvalidInput.self) {
            try TOMLDocument.decode(CatalogueEntry.self, from: text, source: Self.file)
        }
        #expect(error?.field == "items[4].level")
        #expect(error?.record == "\(Self.file):\(Self.line(of: "level = ", after: "出生日期", in: text))")
        #expect(error?.reason.contains("'机密' is not a data level") == true)
    }

    @Test("the entry's own validation refuses an item without a level, as the hub's API does")
    func validationRefusesMissingLevel() throws {
        var entry = try #require(try SampleDocuments.catalogue()["FR-001"])
        entry.items[2].level = nil
        let error = #expect(throws: InvalidInput.self) { try entry.validated() }
        #expect(error?.field == "items[2].level")
    }

    @Test("a level survives JSON as its text, and an entry stored before levels still reads")
    func jsonRoundTrip() throws {
        let entry = try #require(try SampleDocuments.catalogue()["RK-001"])
        let data = try JSONEncoder().encode(entry)
        #expect(String(decoding: data, as: UTF8.self).contains("\"level\":\"重要\""))
        #expect(try JSONDecoder().decode(CatalogueEntry.self, from: data) == entry)
        var legacy = entry
        for index in legacy.items.indices { legacy.items[index].level = nil }
        let old = try JSONEncoder().encode(legacy)
        #expect(!String(decoding: old, as: UTF8.self).contains("level"))
        #expect(try JSONDecoder().decode(CatalogueEntry.self, from: old).items.allSatisfy { $0.level == nil })
    }
}
