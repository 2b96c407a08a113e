import Foundation
import GXDomain
import GXTestSupport
import Testing

@Suite("Masks (脱敏) in agreements")
struct ItemMaskTests {
    @Test("keep:6,4 keeps the first six and last four characters of an ID number")
    func keepIDNumber() {
        #expect(ItemMask("keep:6,4")?.apply(to: "110105199001010123") == "110105********0123")
    }

    @Test("keep counts characters, not bytes, in multi-byte text")
    func keepMultiByte() {
        let mask = ItemMask.keep(head: 1, tail: 1)
        #expect(mask.apply(to: "欧阳𠀀明") == "欧**明")
        #expect(ItemMask.keep(head: 3, tail: 0).apply(to: "北京市东城区") == "北京市***")
        #expect(ItemMask.keep(head: 0, tail: 2).apply(to: "👨‍👩‍👧ab") == "*ab", "a family emoji is one character")
    }

    @Test("a value no longer than what keep would show is masked whole, so no clear value gets through")
    func keepShortValues() {
        let mask = ItemMask.keep(head: 6, tail: 4)
        #expect(mask.apply(to: "1234567890") == "**********")
        #expect(mask.apply(to: "12345678901") == "123456*8901")
        #expect(mask.apply(to: "张三") == "**")
        #expect(mask.apply(to: "") == "")
        #expect(ItemMask.keep(head: 0, tail: 0).apply(to: "secret") == "******")
    }

    @Test("year keeps the year of a date and of a date-time")
    func year() {
        #expect(ItemMask.year.apply(to: "1990-01-31") == "1990")
        #expect(ItemMask.year.apply(to: "2026-12-04T08:30:00") == "2026")
        #expect(ItemMask.year.apply(to: "garbage") == "****")
    }

    @Test("only the two written forms parse")
    func parsing() {
        #expect(ItemMask("year") == .year)
        #expect(ItemMask("keep:0,4") == .keep(head: 0, tail: 4))
        #expect(ItemMask("keep:64,64")?.description == "keep:64,64")
        for bad in ["", "Year", "keep", "keep:6", "keep:6,", "keep:,4", "keep:6,4,1", "keep:-1,4", "keep:+6,4", "keep: 6,4", "keep:65,0",
                    "keep:006,4", "keep:６,4", "month"] {
            #expect(ItemMask(bad) == nil, "\(bad)")
        }
    }

    static func socialSecurity(masks: [String: ItemMask]) throws -> (AgreementTerms, CatalogueEntry) {
        var terms = try #require(try SampleDocuments.agreementTerms().first { $0.resourceCode == "RK-001" })
        terms.masks = masks
        return (terms, try #require(try SampleDocuments.catalogue()["RK-001"]))
    }

    @Test("a mask must name an agreed, non-key item of a type it applies to")
    func validation() throws {
        let cases: [(String, ItemMask, String)] = [
            ("公民身份号码", .keep(head: 6, tail: 4), "key item of RK-001 and cannot be masked"),
            ("住址", .keep(head: 3, tail: 0), "'住址' is not an agreed item"),
            ("不存在", .year, "'不存在' is not an agreed item"),
            ("姓名", .year, "'year' cannot mask '姓名', a string item"),
            ("出生日期", .keep(head: 4, tail: 0), "'keep:4,0' cannot mask '出生日期', a date item"),
            ("性别代码", .keep(head: 0, tail: 0), "a code item"),
        ]
        for (item, mask, message) in cases {
            let (terms, entry) = try Self.socialSecurity(masks: [item: mask])
            let error = #expect(throws: InvalidInput.self) { try terms.checkedMasks(against: entry) }
            #expect(error?.field == "masks.\(item)")
            #expect(error?.reason.contains(message) == true, "\(error?.reason ?? "")")
        }
        let (terms, entry) = try Self.socialSecurity(masks: ["姓名": .keep(head: 1, tail: 0), "出生日期": .year])
        #expect(try terms.checkedMasks(against: entry) == terms)
    }

    @Test("masks are part of the signed terms: adding or changing one changes the canonical bytes; none leaves them as before")
    func masksAreSigned() throws {
        let (plain, _) = try Self.socialSecurity(masks: [:])
        var unmasked = plain
        unmasked.masks = nil
        #expect(plain.canonicalBytes == unmasked.canonicalBytes, "an empty [masks] table signs the same bytes as none")
        #expect(!String(decoding: unmasked.canonicalBytes, as: UTF8.self).contains("masks"))
        let (masked, _) = try Self.socialSecurity(masks: ["出生日期": .year])
        let (other, _) = try Self.socialSecurity(masks: ["出生日期": .keep(head: 4, tail: 0)])
        #expect(String(decoding: masked.canonicalBytes, as: UTF8.self).contains("\"masks\":{\"出生日期\":\"year\"}"))
        #expect(masked.contentDigest != plain.contentDigest && masked.contentDigest != other.contentDigest)
    }

    @Test("a [masks] table reads from the agreement file and is written back unchanged")
    func tomlRoundTrip() throws {
        let text = try SampleDocuments.text("Agreements/BJ-GX-2026-004-population-to-social-security.toml") + "\n[masks]\n\"姓名\" = \"keep:1,0\"\n\"出生日期\" = \"year\"\n"
        let terms = try TOMLDocument.decode(AgreementTerms.self, from: text, source: "a.toml")
        #expect(terms.masks == ["姓名": .keep(head: 1, tail: 0), "出生日期": .year])
        #expect(terms.tomlText.hasSuffix("[masks]\n\"姓名\" = \"keep:1,0\"\n\"出生日期\" = \"year\"\n"))
        #expect(try TOMLDocument.decode(AgreementTerms.self, from: terms.tomlText, source: "b.toml") == terms)
    }

    @Test("an unknown mask, or one the item's type refuses, names the file's line of that item")
    func fileAndLine() throws {
        let base = try SampleDocuments.text("Agreements/BJ-GX-2026-004-population-to-social-security.toml")
        let unknown = base + "\n[masks]\n\"姓名\" = \"stars\"\n"
        let line = unknown.split(separator: "\n", omittingEmptySubsequences: false).count - 1
        let parse = #expect(throws: InvalidInput.self) { try TOMLDocument.decode(AgreementTerms.self, from: unknown, source: "a.toml") }
        #expect(parse?.field == "masks.姓名")
        #expect(parse?.record == "a.toml:\(line)")
        #expect(parse?.reason.contains("'stars' is not a mask") == true)

        let wrongType = base + "\n[masks]\n\"出生日期\" = \"year\"\n\"姓名\" = \"year\"\n"
        let entry = try #require(try SampleDocuments.catalogue()["RK-001"])
        let checked = #expect(throws: InvalidInput.self) {
            try TOMLDocument.decode(AgreementTerms.self, from: wrongType, source: "a.toml") { terms throws(InvalidInput) in try terms.checkedMasks(against: entry) }
        }
        #expect(checked?.field == "masks.姓名")
        #expect(checked?.record == "a.toml:\(line + 1) (agreement BJ-GX-2026-004)")
    }
}
