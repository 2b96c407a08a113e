import Foundation
import GXCrypto
import GXDomain
import GXHub
import GXStorage
import GXTestSupport
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Query and path parameters are read strictly: a bad value is a 400 naming the parameter")
struct QueryParameterTests {
    /// The answer is a 400 whose `field` names `parameter`.
    func expectRefused(_ response: TestResponse, _ parameter: String, _ uri: String) {
        #expect(response.status == .badRequest, "\(uri): \(response.status.code) \(response.text)")
        #expect(response.error?.field == parameter, "\(uri): \(response.text)")
    }

    @Test("a pull's wait that is not seconds from 0 to 30 is refused, and the hub keeps serving", arguments: StoreBackend.allCases)
    func waitIsChecked(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        let consumer = fixture.party(PopulationBatch.consumer)
        try await fixture.hub.withClient { client in
            _ = try await fixture.agreement("RK-001", through: .filed, client: client)
            for value in ["nan", "NaN", "inf", "-inf", "infinity", "-1", "30.5", "31", "1e1", "0x10", "abc", "", "%20", "1.2.3"] {
                let uri = "/v1/agreements/\(PopulationBatch.agreement)/batches?wait=\(value)"
                expectRefused(try await client.call(.get, uri, token: consumer.token), "wait", uri)
            }
            for value in ["0", "0.2", "1"] {
                let uri = "/v1/agreements/\(PopulationBatch.agreement)/batches?wait=\(value)"
                try await client.call(.get, uri, token: consumer.token).expect(.ok)
            }
        }
    }

    @Test("after and seq must be whole numbers in range on the batch routes", arguments: StoreBackend.allCases)
    func sequencesAreChecked(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        let provider = fixture.party(PopulationBatch.provider), consumer = fixture.party(PopulationBatch.consumer)
        try await fixture.hub.withClient { client in
            _ = try await fixture.agreement("RK-001", through: .filed, client: client)
            for value in ["-1", "x", "1.5", "+1", "99999999999999999999", "nan"] {
                let pull = "/v1/agreements/\(PopulationBatch.agreement)/batches?after=\(value)"
                expectRefused(try await client.call(.get, pull, token: consumer.token), "after", pull)
                let list = "/v1/resources/RK-001/batches?after=\(value)"
                expectRefused(try await client.call(.get, list, token: provider.token), "after", list)
            }
            for value in ["0", "-1", "abc", "1e3"] {
                let uri = "/v1/agreements/\(PopulationBatch.agreement)/batches/\(value)"
                expectRefused(try await client.call(.get, uri, token: consumer.token), "seq", uri)
            }
            try await client.call(.get, "/v1/resources/RK-001/batches?after=0", token: provider.token).expect(.ok)
        }
    }

    @Test("the audit page's limit, after, from and until are checked, not clamped or ignored", arguments: StoreBackend.allCases)
    func auditParametersAreChecked(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.make(backend)
        try await fixture.hub.withClient { client in
            for (query, field) in [("limit=0", "limit"), ("limit=1001", "limit"), ("limit=-1", "limit"), ("limit=ten", "limit"),
                                   ("after=-5", "after"), ("from=not-a-date", "from"), ("until=2026-13-01", "until"),
                                   ("from=2026-12-04T08:00:00", "from"), ("limit=1&limit=2", "limit")] {
                let uri = "/v1/audit?\(query)"
                expectRefused(try await client.call(.get, uri, token: fixture.adminToken), field, uri)
            }
            let one = try await client.call(.get, "/v1/audit?limit=1", token: fixture.adminToken).decode(HubAPI.AuditPage.self)
            #expect(one.entries.count == 1)
        }
    }

    @Test("a NUL or control character in a filter, a path or a version is a 400, not a store error", arguments: StoreBackend.allCases)
    func controlCharactersAreRefused(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        try await fixture.hub.withClient { client in
            for (uri, field) in [("/v1/agreements?provider=a%00b", "provider"), ("/v1/agreements?consumer=a%0Ab", "consumer"),
                                 ("/v1/audit?agency=a%00b", "agency"), ("/v1/audit?actor=%00", "actor"), ("/v1/audit?action=a%00", "action"),
                                 ("/v1/catalogue/RK-001?version=1%00", "version"), ("/v1/agreements/a%00b", "id"),
                                 ("/v1/agencies/a%00b", "code"), ("/v1/agreements?resource=%ZZ", "resource")] {
                expectRefused(try await client.call(.get, uri, token: fixture.adminToken), field, uri)
            }
        }
    }

    @Test("path parameters are percent-decoded", arguments: StoreBackend.allCases)
    func pathParametersAreDecoded(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        try await fixture.hub.withClient { client in
            let entry = try await client.call(.get, "/v1/catalogue/RK%2D001", token: fixture.adminToken).decode(CatalogueEntry.self)
            #expect(entry.resourceCode == "RK-001")
        }
    }

    @Test("a version that does not exist is named, apart from a resource that does not exist", arguments: StoreBackend.allCases)
    func missingVersionIsNamed(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        try await fixture.hub.withClient { client in
            let version = try await client.call(.get, "/v1/catalogue/RK-001?version=9.9", token: fixture.adminToken)
            #expect(version.status == .notFound)
            #expect(version.error?.field == "version")
            #expect(version.error?.error.contains("9.9") == true)
            let resource = try await client.call(.get, "/v1/catalogue/XX-999?version=9.9", token: fixture.adminToken)
            #expect(resource.status == .notFound)
            #expect(resource.error?.field == nil)
        }
    }

    @Test("the description documents every numeric query parameter with its range")
    func rangesAreDescribed() async throws {
        let fixture = try await HubFixture.make(.sqlite)
        let description = try await fixture.hub.withClient { client in try await client.call(.get, "/openapi.yaml").text }
        let lines = description.split(separator: "\n").map(String.init)
        func described(_ name: String) -> [String] { lines.filter { $0.contains("{ name: \(name), in: query") } }
        #expect(described("wait").count == 2)  // batches and verifications
        #expect(described("wait").allSatisfy { $0.contains("minimum: 0, maximum: 30") })
        #expect(described("limit").allSatisfy { $0.contains("minimum: 1, maximum: 1000") } && described("limit").count == 1)
        #expect(described("after").count == 4)
        #expect(described("after").allSatisfy { $0.contains("minimum: 0") })
        #expect(described("from").allSatisfy { $0.contains("+08:00") })
    }
}
