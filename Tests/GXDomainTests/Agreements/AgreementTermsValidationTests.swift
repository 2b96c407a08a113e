import GXDomain
import GXTestSupport
import Testing

@Suite("Agreement terms against the catalogue")
struct AgreementTermsValidationTests {
    func check(_ change: (inout AgreementTerms, inout CatalogueEntry) -> Void) throws -> InvalidInput? {
        let parties = try AgreementParties.housing()
        var terms = parties.terms
        var entry = parties.entry
        change(&terms, &entry)
        do {
            _ = try terms.validated(entry: entry, provider: parties.provider, consumer: parties.consumer)
            return nil
        } catch {
            return error
        }
    }

    @Test("the shipped housing agreement is valid")
    func validTerms() throws {
        #expect(try check { _, _ in } == nil)
    }

    @Test("a 不予共享 resource cannot be agreed")
    func notSharedRefused() throws {
        let error = try check { _, entry in entry.sharingType = .notShared }
        #expect(error?.field == "resource")
        #expect(error?.reason.contains("不予共享") == true)
    }

    @Test("a 有条件共享 resource requires the basis")
    func conditionalNeedsBasis() throws {
        let error = try check { terms, _ in terms.basis = "  " }
        #expect(error?.field == "basis")
    }

    @Test("the key item is always included")
    func keyItemRequired() throws {
        let error = try check { terms, _ in terms.items.removeAll { $0 == "不动产单元号" } }
        #expect(error?.field == "items")
        #expect(error?.reason.contains("key item '不动产单元号'") == true)
    }

    @Test("an item outside the catalogue entry is refused by name")
    func unknownItemRefused() throws {
        let error = try check { terms, _ in terms.items.append("银行账号") }
        #expect(error?.reason.contains("'银行账号' is not an item of FC-001") == true)
    }

    @Test("the provider must be the entry's provider")
    func providerMustOwnResource() throws {
        let error = try check { _, entry in entry.provider = "91420000757013137P" }
        #expect(error?.field == "provider")
    }

    @Test("validity must not end before it begins")
    func validityOrdered() throws {
        let error = try check { terms, _ in terms.validUntil = CalendarDate(year: 2025, month: 1, day: 1) }
        #expect(error?.field == "valid_until")
    }

    @Test("a schema version the catalogue does not have is refused")
    func schemaVersionMustMatch() throws {
        let error = try check { terms, _ in terms.schemaVersion = "2.0" }
        #expect(error?.field == "schema_version")
    }
}
