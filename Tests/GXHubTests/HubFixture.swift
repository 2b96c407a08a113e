import Foundation
import GXCrypto
import GXDomain
import GXHub
import GXStorage
import GXTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// A hub on a fresh store with its admin credential, the shipped agencies registered with
/// fresh keys, and the shipped catalogue published — driven over the router, as clients would. Its payloads
/// (files on SQLite, rows on PostgreSQL) are sealed under a data key of its own, as `gx hub serve`'s are.
struct HubFixture: Sendable {
    struct Party: Sendable {
        let code: String
        let key: SM2PrivateKey
        let token: String
    }

    let directory: URL
    let store: any HubStore
    let hub: Hub
    let adminToken: String
    var parties: [String: Party] = [:]

    static func make(_ backend: StoreBackend) async throws -> HubFixture {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gx-hub-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try await backend.makeStore(in: directory)
        // On PostgreSQL the hub keeps its payloads in the database, as `gx hub serve` does by default.
        var hub = Hub(store: store, key: try SM2PrivateKey.generate(), batchDirectory: directory.appendingPathComponent("batches"),
                      payloads: payloads(for: store))
        try DataKeyring.addKey(in: directory.appendingPathComponent("data-keys").path)
        hub.dataKeys = try DataKeyring(directory: directory.appendingPathComponent("data-keys").path)
        let token = try await Hub.initialize(store: store, key: hub.key)!
        return HubFixture(directory: directory, store: store, hub: hub, adminToken: token)
    }

    /// Registers the shipped agencies and publishes the shipped catalogue.
    static func loaded(_ backend: StoreBackend) async throws -> HubFixture {
        var fixture = try await make(backend)
        let list = try SampleDocuments.agencyList()
        let catalogue = try SampleDocuments.catalogue()
        let admin = fixture.adminToken
        fixture.parties = try await fixture.hub.withClient { client in
            var parties: [String: Party] = [:]
            for agency in list.agency {
                let key = try SM2PrivateKey.generate()
                let response = try await client.call(.post, "/v1/agencies", token: admin,
                                                     json: HubAPI.RegisterAgency(code: agency.code, name: agency.name, publicKey: key.publicKey.pem, roles: agency.roles))
                let registered = try response.decode(HubAPI.RegisteredAgency.self)
                parties[agency.code] = Party(code: agency.code, key: key, token: registered.credential.token)
            }
            for entry in catalogue.values {
                let response = try await client.call(.post, "/v1/catalogue", token: admin, json: entry)
                guard response.status == .created else { throw FixtureError("publishing \(entry.resourceCode): \(response.text)") }
            }
            return parties
        }
        return fixture
    }

    func party(_ code: String) -> Party { parties[code]! }

    /// The shipped agreement for `resource`, imported and (optionally) signed by both and filed.
    func agreement(_ resource: String, through stage: AgreementState, client: some TestClientProtocol) async throws -> AgreementTerms {
        let terms = try SampleDocuments.agreementTerms().first { $0.resourceCode == resource }!
        try await client.call(.post, "/v1/agreements", token: adminToken, json: terms).expect(.created)
        if stage == .draft { return terms }
        try await client.sign(terms, as: party(terms.consumer)).expect(.ok)
        if stage == .signedByConsumer { return terms }
        try await client.sign(terms, as: party(terms.provider)).expect(.ok)
        if stage == .signedByProvider { return terms }
        try await client.call(.post, "/v1/agreements/\(terms.id)/filing", token: adminToken,
                              json: HubAPI.Filing(acknowledgedLevels: try SampleDocuments.levelsToAcknowledge(terms))).expect(.ok)
        return terms
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension Hub {
    func withClient<T: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        try await Application(router: router()).test(.router, body)
    }
}

extension TestClientProtocol {
    @discardableResult
    func call(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: (some Encodable)? = nil as String?) async throws -> TestResponse {
        try await call(method, uri, token: token, raw: try json.map { ByteBuffer(bytes: try JSONEncoder().encode($0)) })
    }

    @discardableResult
    func call(_ method: HTTPRequest.Method, _ uri: String, token: String?, raw: ByteBuffer?) async throws -> TestResponse {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        if raw != nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: raw)
    }

    func sign(_ terms: AgreementTerms, as party: HubFixture.Party, signer: String? = nil) async throws -> TestResponse {
        let signature = try party.key.signature(for: terms.canonicalBytes)
        return try await call(.post, "/v1/agreements/\(terms.id)/signatures", token: party.token,
                              json: HubAPI.Sign(signature: Data(signature).base64EncodedString(), signer: signer))
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(buffer: body))
    }

    var error: HubAPI.ErrorBody? { try? decode(HubAPI.ErrorBody.self) }

    func expect(_ status: HTTPResponse.Status) throws {
        guard self.status == status else { throw FixtureError("expected \(status.code), got \(self.status.code): \(text)") }
    }
}
