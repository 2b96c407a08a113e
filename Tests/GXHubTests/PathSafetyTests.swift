import Foundation
import GXCrypto
import GXDomain
import GXHub
import GXStorage
import GXTestSupport
import HummingbirdTesting
import Testing

@Suite("Codes that become folder names cannot leave the batch directory")
struct PathSafetyTests {
    @Test("a catalogue entry whose code would name a hub folder or leave one is refused at publish", arguments: StoreBackend.allCases)
    func unsafeResourceCodesRefused(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        let template = try SampleDocuments.catalogue().values.first { $0.resourceCode == "RK-001" }!
        try await fixture.hub.withClient { client in
            for code in ["..", ".", "incoming", "Incoming", ".hidden", "-x", "a/b", "RK 001"] {
                var entry = template
                entry.resourceCode = code
                let response = try await client.call(.post, "/v1/catalogue", token: fixture.adminToken, json: entry)
                #expect(response.status == .badRequest, "\(code)")
                #expect(response.error?.field == "resource_code", "\(code): \(response.text)")
            }
        }
        #expect(try await fixture.store.catalogueEntries().allSatisfy { PathSafeCode.resourceCodeViolation($0.resourceCode) == nil })
    }

    @Test("an agreement id that would leave its folder is refused at import", arguments: StoreBackend.allCases)
    func unsafeAgreementIDRefused(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        var terms = try SampleDocuments.agreementTerms().first { $0.resourceCode == "RK-001" }!
        terms.id = ".."
        let imported = terms
        try await fixture.hub.withClient { client in
            let response = try await client.call(.post, "/v1/agreements", token: fixture.adminToken, json: imported)
            #expect(response.status == .badRequest)
            #expect(response.error?.field == "id")
        }
    }

    @Test("a push to a resource published as '..' before the rule is refused and writes nothing outside batches/", arguments: StoreBackend.allCases)
    func storedUnsafeCodeCannotEscape(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        var entry = try SampleDocuments.catalogue().values.first { $0.resourceCode == "RK-001" }!
        entry.resourceCode = ".."
        // As an older hub would have kept it: straight into the store, past today's validation.
        try await fixture.store.commit([.publishCatalogueEntry(entry)], audit: [], at: Date())
        let provider = fixture.party(PopulationBatch.provider)
        let built = try PopulationBatch.build([PopulationBatch.record(1)], sequence: 1, key: provider.key) { $0.resourceCode = ".." }
        try await fixture.hub.withClient { client in
            for resource in ["..", "%2E%2E"] {
                let response = try await client.push(built, token: provider.token, resource: resource)
                #expect(response.status == .badRequest, "\(resource): \(response.text)")
                #expect(response.error?.field == "code")
            }
        }
        let outside = try FileManager.default.contentsOfDirectory(atPath: fixture.directory.path).filter { $0.hasSuffix(".deflate") }
        #expect(outside.isEmpty)
    }
}
