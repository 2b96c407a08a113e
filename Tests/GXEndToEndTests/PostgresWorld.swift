import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GXPostgres
import GXTestSupport
import Testing

/// A hub on a fresh PostgreSQL database of the test server, set up through the `gx` commands an operator
/// runs: `hub init`, then (against a serving hub) agencies with fresh keys, the catalogue, and agreements
/// signed by both parties and filed.
struct PostgresWorld {
    let state: URL
    let hubDatabase: PostgresSettings

    var hubURL: String { hubDatabase.description }
    var adminToken: String { state.appendingPathComponent("hub/admin.token").path }
    func agencyFile(_ code: String, _ suffix: String) -> String { state.appendingPathComponent("agencies/\(code).\(suffix)").path }

    static func make() async throws -> PostgresWorld {
        let world = PostgresWorld(state: try temporaryDirectory("postgres-world"), hubDatabase: try await TestPostgres.freshDatabase())
        try await world.gx(["hub", "init", "--db", world.hubURL, "--key-dir", world.state.appendingPathComponent("hub").path])
        return world
    }

    /// A `gx hub serve` on the world's database, keeping its payloads there (no `--batches`): several may run
    /// at once, sharing nothing but the database.
    func serve(_ arguments: [String] = []) async throws -> HubProcess {
        try await HubProcess(database: hubURL, directory: state, arguments: ["--key", state.appendingPathComponent("hub/hub.key").path] + arguments)
    }

    /// Runs gx, requiring success.
    @discardableResult
    func gx(_ arguments: [String], hub: HubProcess? = nil) async throws -> ProcessResult {
        let result = try await GXBinary.run(arguments, environment: hub.map { ["GX_HUB": $0.url] } ?? [:])
        try #require(result.status == 0, "gx \(arguments.joined(separator: " ")): \(result.stdout)\(result.stderr)")
        return result
    }

    /// Registers every shipped agency with a fresh key, publishes the catalogue, and files `agreements`.
    func setUp(through hub: HubProcess, agreements: [String]) async throws {
        let agencies = state.appendingPathComponent("agencies").path
        for agency in try SampleDocuments.agencyList().agency {
            try await gx(["keys", "generate", "--out", agencies, "--name", agency.code])
        }
        let root = SampleDocuments.root
        try await gx(["agencies", "import", "--token-file", adminToken, "--keys", agencies, "--tokens", agencies,
                root.appendingPathComponent("Agreements/agencies.toml").path], hub: hub)
        let catalogue = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Catalogue").path)
            .filter { $0.hasSuffix(".toml") }.sorted().map { root.appendingPathComponent("Catalogue/\($0)").path }
        try await gx(["catalogue", "publish", "--token-file", adminToken] + catalogue, hub: hub)
        for id in agreements {
            let terms = try #require(try SampleDocuments.agreementTerms().first { $0.id == id })
            let file = try #require(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Agreements").path)
                .first { $0.hasPrefix(id) })
            try await gx(["agreement", "import", "--token-file", adminToken, root.appendingPathComponent("Agreements/\(file)").path], hub: hub)
            for party in [terms.consumer, terms.provider] {
                try await gx(["agreement", "sign", id, "--token-file", agencyFile(party, "token"), "--key", agencyFile(party, "key")], hub: hub)
            }
            let levels = try SampleDocuments.levelsToAcknowledge(terms)
            try await gx(["agreement", "file", id, "--token-file", adminToken] + (levels.isEmpty ? [] : ["--acknowledge-levels", levels.joined(separator: ",")]), hub: hub)
        }
    }

    func token(_ file: String) throws -> String {
        try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Plain HTTP calls to a hub process, for tests that drive it concurrently.
enum HubHTTP {
    struct Response: Sendable {
        var status: Int
        var body: String
    }

    static func call(_ method: String, _ url: String, token: String, headers: [String: String] = [:], body: Data? = nil) async throws -> Response {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = body
        let (data, response) = try await URLSession.shared.data(for: request)
        return Response(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: String(decoding: data, as: UTF8.self))
    }
}
