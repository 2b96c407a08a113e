import Foundation
import GRDB
import GXCrypto
import GXDomain
import GXHub
import GXPostgres
import GXStorage
import GXTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Operations: readiness, metrics")
struct OperationsTests {
    @Test("/readyz answers ready with the schema when the database is current", arguments: StoreBackend.allCases)
    func readyWhenCurrent(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.make(backend)
        try await fixture.hub.withClient { client in
            let response = try await client.call(.get, "/readyz")
            try response.expect(.ok)
            #expect(response.text.contains("\"status\":\"ready\""))
            #expect(response.text.contains(fixture.store.knownMigrations.last!))
        }
    }

    @Test("/readyz answers 503 naming the migration a database lacks")
    func notReadyWhenBehind() async throws {
        let directory = try temporaryDirectory("readyz")
        let path = directory.appendingPathComponent("hub.sqlite").path
        // A running hub's database loses its latest migration (restored from an old backup, say).
        let store = try SQLiteHubStore(path: path)
        let latest = store.knownMigrations.last!
        try await DatabaseQueue(path: path).write { db in
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = ?", arguments: [latest])
        }
        var hub = Hub(store: store, key: try SM2PrivateKey.generate(), batchDirectory: directory.appendingPathComponent("batches"))
        // A database that answers, however slowly a loaded test machine reads it: this test is about the schema.
        hub.readinessTimeout = .seconds(60)
        let response = try await hub.withClient { client in try await client.call(.get, "/readyz") }
        #expect(response.status == .serviceUnavailable)
        #expect(response.error?.error.contains(latest) == true, "\(response.text)")
    }

    @Test("/readyz answers 503 within a few seconds when the database does not answer")
    func notReadyPromptlyWhenDatabaseHangs() async throws {
        // A "server" that takes connections and never says a word: a database host that hangs.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(listener >= 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && listen(listener, 16) == 0 && getsockname(listener, $0, &length) == 0 }
        }
        try #require(bound)
        var settings = try TestPostgres.server()
        settings.host = "127.0.0.1"
        settings.port = Int(UInt16(bigEndian: address.sin_port))
        settings.tlsMode = .disable
        let store = PostgresHubStore(settings: settings, maximumConnections: 1)
        let pool = Task { try await store.run() }
        defer { pool.cancel() }
        let directory = try temporaryDirectory("readyz-hang")
        let hub = Hub(store: store, key: try SM2PrivateKey.generate(), batchDirectory: directory.appendingPathComponent("batches"))
        let clock = ContinuousClock()
        let started = clock.now
        let response = try await hub.withClient { client in try await client.call(.get, "/readyz") }
        let took = clock.now - started
        #expect(response.status == .serviceUnavailable, "\(response.text)")
        #expect(response.error?.error == "the database did not answer within 2.0 seconds", "\(response.text)")
        // Two seconds when the machine is idle; the bound leaves room for a loaded test machine, and is far
        // below the minute the store itself waits for a connection.
        #expect(took < .seconds(20), "/readyz took \(took)")
    }

    @Test("/metrics needs an admin or auditor credential")
    func metricsNeedCredential() async throws {
        let fixture = try await HubFixture.loaded(.sqlite)
        let agency = fixture.party(PopulationBatch.provider)
        let statuses = try await fixture.hub.withClient { client in
            [try await client.call(.get, "/metrics").status,
             try await client.call(.get, "/metrics", token: agency.token).status,
             try await client.call(.get, "/metrics", token: fixture.adminToken).status]
        }
        #expect(statuses == [.unauthorized, .forbidden, .ok])
    }

    @Test("/metrics counts accepted and refused batches, records, bytes, the chain length and each agreement's lag",
          arguments: StoreBackend.allCases)
    func metricsReportTheExchange(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.loaded(backend)
        let provider = fixture.party(PopulationBatch.provider)
        let built = try PopulationBatch.build((1...50).map { PopulationBatch.record($0) } + [PopulationBatch.delete(77)], sequence: 1, key: provider.key)
        let outOfSequence = try PopulationBatch.build([PopulationBatch.record(1)], sequence: 5, key: provider.key)
        let metrics = try await fixture.hub.withClient { client in
            _ = try await fixture.agreement("RK-001", through: .filed, client: client)
            try await client.push(built, token: provider.token).expect(.created)
            try await client.push(outOfSequence, token: provider.token).expect(.conflict)
            return try await client.call(.get, "/metrics", token: fixture.adminToken).text
        }
        let head = try await fixture.store.auditHead()
        #expect(Self.value(#"gongxiang_batches_accepted_total{resource="RK-001"}"#, in: metrics) == 1)
        #expect(Self.value(#"gongxiang_records_total{resource="RK-001"}"#, in: metrics) == 51)
        #expect(Self.value(#"gongxiang_batch_bytes_total{resource="RK-001"}"#, in: metrics) == Double(built.signed.content.wire.bytes))
        #expect(Self.value(#"gongxiang_batches_refused_total{reason="manifest.sequence"}"#, in: metrics) == 1)
        #expect(Self.value(#"gongxiang_delivery_lag_batches{agreement="\#(PopulationBatch.agreement)"}"#, in: metrics) == 1)
        #expect(Self.value("gongxiang_audit_chain_length", in: metrics) == Double(head.seq))
        #expect(Self.value(#"gongxiang_http_request_duration_seconds_count{method="POST",route="/v1/resources/{code}/batches",status="201"}"#, in: metrics) == 1)
        #expect(Self.value(#"gongxiang_http_request_duration_seconds_count{method="POST",route="/v1/resources/{code}/batches",status="409"}"#, in: metrics) == 1)
    }

    /// The value of one series in the exposition text, nil when it is absent.
    static func value(_ series: String, in text: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.dropFirst(series.count + 1)) }
    }

    @Test("an acknowledged delivery brings the agreement's lag back to 0")
    func lagFallsWithReceipt() async throws {
        let fixture = try await HubFixture.loaded(.sqlite)
        let provider = fixture.party(PopulationBatch.provider), consumer = fixture.party(PopulationBatch.consumer)
        let built = try PopulationBatch.build([PopulationBatch.record(1)], sequence: 1, key: provider.key)
        let metrics = try await fixture.hub.withClient { client in
            _ = try await fixture.agreement("RK-001", through: .filed, client: client)
            try await client.push(built, token: provider.token).expect(.created)
            let delivery = try await client.call(.get, "/v1/agreements/\(PopulationBatch.agreement)/batches/1", token: consumer.token)
            try await client.acknowledge(1, recordsSM3: try delivery.deliveryManifest().content.records.sm3, upserts: 1, as: consumer).expect(.created)
            return try await client.call(.get, "/metrics", token: fixture.adminToken).text
        }
        #expect(Self.value(#"gongxiang_delivery_lag_batches{agreement="\#(PopulationBatch.agreement)"}"#, in: metrics) == 0)
    }
}

@Suite("OpenAPI description")
struct OpenAPIDescriptionTests {
    /// `METHOD /path/{param}` for every operation in the served description.
    static func describedOperations(_ yaml: String) -> Set<String> {
        var operations = Set<String>()
        var path: String?
        for line in yaml.split(separator: "\n").map(String.init) {
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast())
            } else if !line.hasPrefix("  ") {
                path = nil
            } else if let path, line.hasPrefix("    "), !line.hasPrefix("     "),
                      let method = ["get", "post", "put", "delete", "patch"].first(where: { line == "    \($0):" }) {
                operations.insert("\(method.uppercased()) \(path)")
            }
        }
        return operations
    }

    /// `METHOD /path/{param}` for every route the router knows.
    static func routedOperations(_ hub: Hub) -> Set<String> {
        Set(hub.router().routes.map { route in
            let path = "\(route.path)".split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
            return "\(route.method.rawValue) /\(path)"
        })
    }

    @Test("every route the hub serves is described in /openapi.yaml, and every described route exists")
    func describesEveryRoute() async throws {
        let fixture = try await HubFixture.make(.sqlite)
        let served = try await fixture.hub.withClient { client in
            let response = try await client.call(.get, "/openapi.yaml")
            try response.expect(.ok)
            return response.text
        }
        #expect(served.hasPrefix("openapi: 3.1.0"))
        let described = Self.describedOperations(served), routed = Self.routedOperations(fixture.hub)
        #expect(routed.count > 20)
        #expect(routed.subtracting(described).isEmpty, "routes not described: \(routed.subtracting(described).sorted())")
        #expect(described.subtracting(routed).isEmpty, "described but not routed: \(described.subtracting(routed).sorted())")
    }

    /// `METHOD /path` → the status codes its `responses` list, from the served description.
    static func documentedStatuses(_ yaml: String) -> [String: Set<String>] {
        var statuses: [String: Set<String>] = [:]
        var path: String?, operation: String?
        for line in yaml.split(separator: "\n").map(String.init) {
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast()); operation = nil
            } else if !line.hasPrefix("  ") {
                path = nil; operation = nil
            } else if let path, let method = ["get", "post", "put", "delete", "patch"].first(where: { line == "    \($0):" }) {
                operation = "\(method.uppercased()) \(path)"; statuses[operation!, default: []] = []
            } else if let operation, line.hasPrefix("        \""), line.count > 12, !line.hasPrefix("         ") {
                statuses[operation, default: []].insert(String(line.dropFirst(9).prefix(3)))
            }
        }
        return statuses
    }

    @Test("every operation documents 503 and every secured one 401, and no answer is left a bare JSON object")
    func documentsEveryStatus() async throws {
        let fixture = try await HubFixture.make(.sqlite)
        let served = try await fixture.hub.withClient { client in
            try await client.call(.get, "/openapi.yaml").text
        }
        let statuses = Self.documentedStatuses(served)
        #expect(statuses.count > 20)
        for (operation, codes) in statuses {
            #expect(codes.contains("503"), "\(operation) does not document 503 (connection limit, store unavailable)")
            let open = ["GET /healthz", "GET /readyz", "GET /openapi.yaml"].contains(operation)
            #expect(codes.contains("401") != open, "\(operation): 401 \(open ? "documented on an open route" : "not documented")")
        }
        #expect(!served.contains("schema: { type: object } }"), "a generic object schema is left in the description")
    }
}
