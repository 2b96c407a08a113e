import Foundation
import GXConsole
import GXCrypto
import GXDomain
import GXHub
import GXStorage
import GXTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// A hub with the console mounted, loaded as the quickstart loads it: the shipped agencies with fresh keys,
/// the catalogue, an auditor, and agreement BJ-GX-2026-001 signed by both parties and filed (active).
struct ConsoleFixture: Sendable {
    let store: any HubStore
    let hub: Hub
    let adminToken: String
    var auditorToken = ""
    var agencyTokens: [String: String] = [:]
    var agencyKeys: [String: SM2PrivateKey] = [:]

    /// The parties of BJ-GX-2026-001, and an agency that is party to neither it nor BJ-GX-2026-002.
    static let activeAgreement = "BJ-GX-2026-001"
    static let provider = "11110000000021012L"
    static let consumer = "11110000000021020F"
    static let outsider = "111100000000210552"

    /// `configure` sets what the hub must know before the console is mounted on it (the console keeps a copy).
    static func make(_ backend: StoreBackend, now: @escaping @Sendable () -> Date = { Date() },
                     configure: (inout Hub) -> Void = { _ in }) async throws -> ConsoleFixture {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gx-console-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try await backend.makeStore(in: directory)
        let key = try SM2PrivateKey.generate()
        var plain = Hub(store: store, key: key, batchDirectory: directory.appendingPathComponent("batches"))
        configure(&plain)
        let hub = try Console.mounted(on: plain, now: now)
        let token = try await Hub.initialize(store: store, key: key)!
        var fixture = ConsoleFixture(store: store, hub: hub, adminToken: token)
        try await fixture.load()
        return fixture
    }

    mutating func load() async throws {
        let admin = adminToken
        let (tokens, keys, auditor) = try await withClient { client in
            var tokens: [String: String] = [:], keys: [String: SM2PrivateKey] = [:]
            for agency in try SampleDocuments.agencyList().agency {
                let key = try SM2PrivateKey.generate()
                let response = try await client.api(.post, "/v1/agencies", token: admin,
                                                    json: HubAPI.RegisterAgency(code: agency.code, name: agency.name, publicKey: key.publicKey.pem, roles: agency.roles))
                tokens[agency.code] = try response.decode(HubAPI.RegisteredAgency.self).credential.token
                keys[agency.code] = key
            }
            for entry in try SampleDocuments.catalogue().values {
                try await client.api(.post, "/v1/catalogue", token: admin, json: entry).expect(.created)
            }
            let auditor = try await client.api(.post, "/v1/auditors", token: admin, json: HubAPI.AddAuditor(name: "auditor"))
                .decode(HubAPI.IssuedCredential.self).token
            return (tokens, keys, auditor)
        }
        agencyTokens = tokens
        agencyKeys = keys
        auditorToken = auditor
        try await importAgreement(Self.activeAgreement, through: .active)
    }

    /// Imports a shipped agreement (optionally with another purpose) and takes it through signing and filing.
    func importAgreement(_ id: String, through stage: AgreementState, purpose: String? = nil, newID: String? = nil) async throws {
        var terms = try SampleDocuments.agreementTerms().first { $0.id == id }!
        if let purpose { terms.purpose = purpose }
        if let newID { terms.id = newID }
        let admin = adminToken, tokens = agencyTokens, keys = agencyKeys
        try await withClient { [terms] client in
            try await client.api(.post, "/v1/agreements", token: admin, json: terms).expect(.created)
            if stage == .draft { return }
            for party in [terms.consumer, terms.provider] {
                let signature = try keys[party]!.signature(for: terms.canonicalBytes)
                try await client.api(.post, "/v1/agreements/\(terms.id)/signatures", token: tokens[party]!,
                                     json: HubAPI.Sign(signature: Data(signature).base64EncodedString())).expect(.ok)
            }
            if stage == .signedByProvider { return }
            try await client.api(.post, "/v1/agreements/\(terms.id)/filing", token: admin,
                                 json: HubAPI.Filing(acknowledgedLevels: try SampleDocuments.levelsToAcknowledge(terms))).expect(.ok)
        }
    }

    func withClient<T: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        try await Application(router: hub.router()).test(.router, body)
    }

    /// Over a real connection on loopback, so the hub sees a peer address (127.0.0.1).
    func withLiveClient<T: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        try await Application(router: hub.router()).test(.live, body)
    }

    func state(of id: String) async throws -> AgreementState? { try await store.agreement(id: id)?.state }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A browser's view of the console: its session cookie and the pages' CSRF token.
struct Browser: Sendable {
    let client: any TestClientProtocol
    var session: String?
    var language = "zh-CN,zh;q=0.9"
    /// Sent as X-Forwarded-For, as a load balancer in front of the hub adds it.
    var forwardedFor: String?

    init(_ client: any TestClientProtocol) { self.client = client }

    func get(_ path: String) async throws -> TestResponse {
        try await client.execute(uri: path, method: .get, headers: headers(), body: nil)
    }

    func post(_ path: String, _ fields: [(String, String)], cookie extra: String? = nil) async throws -> TestResponse {
        var headers = headers(extra: extra)
        headers[.contentType] = "application/x-www-form-urlencoded"
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    func headers(extra: String? = nil) -> HTTPFields {
        var headers = HTTPFields()
        headers[.acceptLanguage] = language
        if let forwardedFor { headers[Hub.forwardedFor] = forwardedFor }
        let cookies = [session.map { "gx_console=\($0)" }, extra].compactMap { $0 }
        if !cookies.isEmpty { headers[.cookie] = cookies.joined(separator: "; ") }
        return headers
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }

    /// Signs in as a person would: opens the sign-in page, then posts the token with the page's form token.
    mutating func signIn(_ token: String) async throws -> TestResponse {
        let page = try await get("/console/")
        guard let formToken = page.cookie("gx_console_signin") else { throw FixtureError("no sign-in form cookie: \(page.text)") }
        let response = try await post("/console/sign-in", [("csrf", formToken), ("token", token)], cookie: "gx_console_signin=\(formToken)")
        if let session = response.cookie("gx_console"), !session.isEmpty { self.session = session }
        return response
    }

    /// The CSRF token the page's forms carry.
    func csrf() async throws -> String {
        let page = try await get("/console/agreements")
        guard let token = page.text.firstMatch(of: /name="csrf" value="([0-9a-f]+)"/)?.1 else { throw FixtureError("no CSRF token in \(page.text)") }
        return String(token)
    }
}

extension TestClientProtocol {
    @discardableResult
    func api(_ method: HTTPRequest.Method, _ uri: String, token: String, json: (some Encodable)? = nil as String?) async throws -> TestResponse {
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(token)"
        headers[.contentType] = "application/json"
        return try await execute(uri: uri, method: method, headers: headers, body: try json.map { ByteBuffer(bytes: try JSONEncoder().encode($0)) })
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try JSONDecoder().decode(T.self, from: Data(buffer: body)) }

    func expect(_ status: HTTPResponse.Status) throws {
        guard self.status == status else { throw FixtureError("expected \(status.code), got \(self.status.code): \(text)") }
    }

    /// The value a `Set-Cookie` header gives `name`.
    func cookie(_ name: String) -> String? { setCookie(name).flatMap { $0.split(separator: ";").first?.split(separator: "=", maxSplits: 1).dropFirst().first.map(String.init) ?? "" } }

    func setCookie(_ name: String) -> String? { headers[values: .setCookie].first { $0.hasPrefix("\(name)=") } }

    var location: String? { headers[.location] }
}
