import GXDomain
import GXTestSupport
import Testing

@Suite("Shipped catalogue, agencies and agreements")
struct ShippedDocumentTests {
    @Test("the three base resources are published with valid entries")
    func catalogueEntriesValidate() throws {
        let catalogue = try SampleDocuments.catalogue()
        #expect(Set(catalogue.keys) == ["FR-001", "RK-001", "FC-001"])
        for entry in catalogue.values { _ = try entry.validated() }
        #expect(catalogue["RK-001"]?.keyItems.map(\.name) == ["公民身份号码"])
        #expect(catalogue["FC-001"]?.keyItems.map(\.name) == ["不动产单元号"])
        #expect(catalogue["FR-001"]?.keyItems.map(\.name) == ["统一社会信用代码"])
        #expect(catalogue["RK-001"]?.item(named: "民族代码")?.codeTable?.codes.count == 58)
    }

    @Test("the Beijing agreements validate against the catalogue and the sample agencies")
    func agreementsValidate() throws {
        let catalogue = try SampleDocuments.catalogue()
        let agencies = Dictionary(uniqueKeysWithValues: try SampleDocuments.agencyList().agency.map { ($0.code, $0) })
        let terms = try SampleDocuments.agreementTerms()
        #expect(terms.count == 5)
        for t in terms {
            let p = agencies[t.provider]!, c = agencies[t.consumer]!
            _ = try t.validated(entry: catalogue[t.resourceCode]!,
                                provider: Agency(code: p.code, name: p.name, publicKeyPEM: "", roles: p.roles),
                                consumer: Agency(code: c.code, name: c.name, publicKeyPEM: "", roles: c.roles))
        }
    }

    @Test("sample agency codes are valid 统一社会信用代码")
    func agencyCodesValid() throws {
        for agency in try SampleDocuments.agencyList().agency {
            #expect(IdentifierValidator.violation(of: agency.code, as: .uscc) == nil, "\(agency.code)")
        }
    }

    @Test("an unknown field in an agreement file is refused with its line")
    func unknownFieldNamesLine() throws {
        var text = try SampleDocuments.text("Agreements/BJ-GX-2026-002-legal-entities-to-tax.toml")
        text = text.replacingOccurrences(of: "frequency = \"每日\"", with: "frequency = \"每日\"\nfrequncy_typo = \"x\"")
        let error = #expect(throws: InvalidInput.self) {
            try TOMLDocument.decode(AgreementTerms.self, from: text, source: "a.toml")
        }
        #expect(error?.field == "frequncy_typo")
        #expect(error?.reason == "unknown field")
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.hasPrefix("frequncy_typo") }! + 1
        #expect(error?.record == "a.toml:\(line)")
    }

    @Test("a wrongly typed field is refused naming the field")
    func wrongTypeNamesField() throws {
        let text = try SampleDocuments.text("Agreements/BJ-GX-2026-002-legal-entities-to-tax.toml")
            .replacingOccurrences(of: "method = \"push\"", with: "method = \"fax\"")
        let error = #expect(throws: InvalidInput.self) {
            try TOMLDocument.decode(AgreementTerms.self, from: text, source: "a.toml")
        }
        #expect(error?.field == "method")
        #expect(error?.record?.hasPrefix("a.toml:") == true)
    }

    @Test("a TOML syntax error is reported with its line")
    func syntaxErrorHasLine() {
        let error = #expect(throws: InvalidInput.self) {
            try TOMLDocument.decode(AgreementTerms.self, from: "id = \"x\"\nitems = [\n", source: "b.toml")
        }
        #expect(error?.field == "syntax")
        #expect(error?.record?.hasPrefix("b.toml:") == true)
    }
}
