import GXDomain
import GXTestSupport
import Testing

@Suite("Filing an agreement that shares items above 一般")
struct AgreementLevelsTests {
    static func population() throws -> (AgreementTerms, CatalogueEntry) {
        let terms = try #require(try SampleDocuments.agreementTerms().first { $0.resourceCode == "RK-001" })
        return (terms, try #require(try SampleDocuments.catalogue()["RK-001"]))
    }

    @Test("the items above 一般 are named with their levels, in the catalogue's order")
    func itemsAboveGeneral() throws {
        let (terms, entry) = try Self.population()
        let shared = terms.itemsAboveGeneral(in: entry)
        #expect(shared.map { $0.item } == ["公民身份号码", "姓名", "出生日期"])
        #expect(shared.allSatisfy { $0.level.grade == .important })
        #expect(terms.levelsToAcknowledge(in: entry) == ["重要"])
    }

    @Test("a filing that does not acknowledge 重要 is refused, naming the items and their levels")
    func missingAcknowledgement() throws {
        let (terms, entry) = try Self.population()
        let error = #expect(throws: InvalidInput.self) { try terms.acknowledgedLevels([], entry: entry) }
        #expect(error?.field == "acknowledged_levels")
        #expect(error?.reason.contains("公民身份号码 (重要), 姓名 (重要), 出生日期 (重要)") == true)
        #expect(error?.reason.contains("must acknowledge 重要") == true)
    }

    @Test("a 核心 item needs 核心 acknowledged as well as 重要")
    func coreNeedsItsOwn() throws {
        var (terms, entry) = try Self.population()
        entry.items[entry.items.firstIndex { $0.name == "性别代码" }!].level = DataLevel(grade: .core, subLevel: "A")
        #expect(terms.levelsToAcknowledge(in: entry) == ["重要", "核心"])
        let error = #expect(throws: InvalidInput.self) { try terms.acknowledgedLevels(["重要"], entry: entry) }
        #expect(error?.reason.contains("性别代码 (核心/A)") == true)
        #expect(try terms.acknowledgedLevels(["核心", " 重要"], entry: entry) == ["重要", "核心"])
        terms.items.removeAll { $0 == "性别代码" }
        #expect(try terms.acknowledgedLevels(["重要"], entry: entry) == ["重要"])
    }

    @Test("acknowledging a level no agreed item has, or something that is not a level, is refused")
    func extraOrUnknown() throws {
        let (terms, entry) = try Self.population()
        let extra = #expect(throws: InvalidInput.self) { try terms.acknowledgedLevels(["重要", "核心"], entry: entry) }
        #expect(extra?.reason.contains("acknowledges 核心, but no agreed item is 核心") == true)
        for bad in ["一般", "important", ""] {
            let error = #expect(throws: InvalidInput.self) { try terms.acknowledgedLevels(["重要", bad], entry: entry) }
            #expect(error?.field == "acknowledged_levels", "\(bad)")
        }
    }

    @Test("an agreement sharing only 一般 items files without acknowledgement")
    func generalOnly() throws {
        let terms = try #require(try SampleDocuments.agreementTerms().first { $0.resourceCode == "FC-001" })
        let entry = try #require(try SampleDocuments.catalogue()["FC-001"])
        #expect(try terms.acknowledgedLevels([], entry: entry) == [])
    }

    @Test("an agreed item without a level (an entry published before levels) blocks filing")
    func unclassifiedItem() throws {
        let (terms, entry) = try Self.population()
        var legacy = entry
        legacy.items[1].level = nil
        let error = #expect(throws: InvalidInput.self) { try terms.acknowledgedLevels(["重要"], entry: legacy) }
        #expect(error?.field == "items")
        #expect(error?.reason.contains("'姓名' has no data level") == true)
    }
}
