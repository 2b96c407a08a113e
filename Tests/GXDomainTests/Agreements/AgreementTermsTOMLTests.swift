import GXDomain
import GXTestSupport
import Testing

@Suite("Agreement terms written as TOML")
struct AgreementTermsTOMLTests {
    @Test("every shipped agreement, written as TOML, reads back as the same terms")
    func shippedRoundTrip() throws {
        for terms in try SampleDocuments.agreementTerms() {
            #expect(try TOMLDocument.decode(AgreementTerms.self, from: terms.tomlText, source: terms.id) == terms)
        }
    }

    @Test("quotes, backslashes, newlines and control characters in a term survive the round trip, and the demand is kept")
    func escapes() throws {
        var terms = try #require(try SampleDocuments.agreementTerms().first)
        terms.purpose = "用于\"核验\"\\审批\n第二行\t\u{01}"
        terms.demand = "XQ-2026-007"
        let text = terms.tomlText
        #expect(text.contains("demand = \"XQ-2026-007\""))
        #expect(try TOMLDocument.decode(AgreementTerms.self, from: text, source: "t.toml") == terms)
    }
}
