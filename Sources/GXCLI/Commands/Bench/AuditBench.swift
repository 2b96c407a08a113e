import AsyncHTTPClient
import Foundation
import GXDomain
import GXPostgres
import GXStorage
import NIOCore

/// `gx bench audit`: how fast the auditor's first page answers on a hub whose log holds N entries.
///
/// A real hub is set up as the quickstart sets it up (the sample agencies, catalogue and agreements, an
/// auditor), its store is then filled with N entries spread over those agencies, agreements, resources and
/// actions as a year of nights would spread them — appended by the store's own commit, a few thousand per
/// transaction, so they are chained and indexed exactly as served ones — and a fresh `gx hub serve` on it is
/// timed over HTTP: the console's audit page (signed in as the auditor) unfiltered and filtered, and the API's
/// filtered first page. Each figure is the median of `tries` requests.
struct AuditBench {
    let entries: Int
    let store: String
    let postgres: PostgresSettings?
    let tries: Int
    let documents: URL
    let work: String?
    let json: String?

    struct Query: Codable {
        var name: String
        var path: String
        var medianMilliseconds: Double
        var minimumMilliseconds: Double
        var maximumMilliseconds: Double
        var returned: Int

        enum CodingKeys: String, CodingKey {
            case name, path, returned
            case medianMilliseconds = "median_ms", minimumMilliseconds = "min_ms", maximumMilliseconds = "max_ms"
        }
    }

    struct Report: Codable {
        var entries: Int
        /// The chain's length after the fill: the registry's own entries and the N added.
        var logEntries: Int64
        var store: String
        var fillSeconds: Double
        var tries: Int
        var queries: [Query]

        enum CodingKeys: String, CodingKey { case entries, store, tries, queries, fillSeconds = "fill_seconds", logEntries = "log_entries" }
    }

    func run() async throws {
        let directory = URL(fileURLWithPath: work ?? FileManager.default.temporaryDirectory.appendingPathComponent("gx-bench-audit-\(UUID().uuidString.prefix(8))").path)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { if work == nil { try? FileManager.default.removeItem(at: directory) } }
        let gx = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let environment = postgres?.password.map { ["PGPASSWORD": $0] } ?? [:]
        let setup = AuditBenchHub(directory: directory, gx: gx, documents: documents, environment: environment)
        let database: String
        if let postgres {
            database = try await setup.createDatabase("gx_bench_audit", on: postgres)
        } else {
            database = directory.appendingPathComponent("hub/hub.sqlite").path
        }
        do {
            try await measure(setup: setup, database: database, directory: directory)
        } catch {
            if let postgres { try? await setup.dropDatabase("gx_bench_audit", on: postgres) }
            throw error
        }
        // With --work the database is kept beside the work directory, to look into.
        if let postgres, work == nil { try await setup.dropDatabase("gx_bench_audit", on: postgres) }
    }

    func measure(setup: AuditBenchHub, database: String, directory: URL) async throws {
        Console.note("setting up a hub on \(store): agencies, catalogue, agreements, an auditor")
        try await setup.register(database: database)
        Console.note("filling the audit log with \(entries) entries")
        let started = ContinuousClock.now
        // The year of nights begins now, after the registry's own entries, so the log is in time order as a served
        // one is (a fill dated before them would make every entry one dated before an earlier one).
        let yearStart = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 1).rounded(.up))
        let logEntries = try await HubDatabase(database).withStore { store in
            try await AuditBenchFill(entries: entries, start: yearStart).fill(store)
            return try await store.auditHead().seq
        }
        let fillSeconds = (ContinuousClock.now - started) / .seconds(1)
        Console.note(String(format: "filled in %.1f s (%.0f entries/s)", fillSeconds, Double(entries) / fillSeconds))
        if postgres != nil {
            // Statistics as autovacuum's ANALYZE keeps them on a served hub; it would reach a log loaded this fast only later.
            try await setup.analyze(database: database)
        }

        let (hub, url) = try await setup.serve(database: database)
        defer { _ = hub.terminate() }
        let auditor = try String(contentsOf: directory.appendingPathComponent("hub/auditor.token"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let session = try await AuditBenchHTTP.signIn(url, token: auditor)
        let agreements = try await HubDatabase(database).withStore { store in try await store.agreements(matching: AgreementQuery()) }
        guard let agreement = agreements.first(where: { $0.terms.resourceCode == "RK-001" }) ?? agreements.first else {
            throw CLIError("the benchmark hub has no agreement")
        }
        var report = Report(entries: entries, logEntries: logEntries, store: store, fillSeconds: fillSeconds, tries: tries, queries: [])
        // A month in the middle of the year.
        let month = "from=\(Timestamp.string(from: yearStart + 150 * 86_400))&until=\(Timestamp.string(from: yearStart + 180 * 86_400))"
        let consumer = agreement.terms.consumer
        // A resource the consumer neither provides nor receives: two busy filters that never meet, the worst case.
        let unrelated = Set(agreements.map(\.terms.resourceCode)).subtracting(agreements.filter {
            $0.terms.consumer == consumer || $0.terms.provider == consumer
        }.map(\.terms.resourceCode)).sorted().first
        let console: [(String, String)] = [
            ("console, first page", "/console/audit"),
            ("console, by resource", "/console/audit?resource=\(agreement.terms.resourceCode)"),
            ("console, by agency", "/console/audit?agency=\(consumer)"),
            ("console, rare action", "/console/audit?action=agreement.suspended"),
        ]
        let api: [(String, String)] = [
            ("API, by resource", "/v1/audit?resource=\(agreement.terms.resourceCode)"),
            ("API, by agency", "/v1/audit?agency=\(consumer)"),
            ("API, agency and rare action", "/v1/audit?agency=\(consumer)&action=agreement.suspended"),
            ("API, by agreement", "/v1/audit?agreement=\(agreement.id)"),
            ("API, rare action", "/v1/audit?action=agreement.suspended"),
            ("API, resource and rare action", "/v1/audit?resource=\(agreement.terms.resourceCode)&action=agreement.suspended"),
            ("API, resource in a month", "/v1/audit?resource=\(agreement.terms.resourceCode)&\(month)"),
            ("API, a month", "/v1/audit?\(month)"),
            ("API, agency in a month", "/v1/audit?agency=\(consumer)&\(month)"),
            ("API, agency, resource and action", "/v1/audit?agency=\(consumer)&resource=\(agreement.terms.resourceCode)&action=batch.received"),
        ] + (unrelated.map { [("API, agency and a resource it never touches", "/v1/audit?agency=\(consumer)&resource=\($0)")] } ?? [])
        for (name, path) in console {
            report.queries.append(try await measure(name, path, url: url, headers: [("Cookie", session)], console: true))
        }
        for (name, path) in api {
            report.queries.append(try await measure(name, path, url: url, headers: [("Authorization", "Bearer \(auditor)")], console: false))
        }
        print(table(report))
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(report).write(to: URL(fileURLWithPath: json))
        }
    }

    /// The median of `tries` requests after one that warms the connection (not the caches: every try is timed).
    func measure(_ name: String, _ path: String, url: String, headers: [(String, String)], console: Bool) async throws -> Query {
        var times: [Double] = []
        var returned = 0
        for _ in 0..<tries {
            let (milliseconds, body) = try await AuditBenchHTTP.get(url + path, headers: headers)
            times.append(milliseconds)
            let text = String(buffer: body)
            returned = console ? text.components(separatedBy: "<tr><td>").count - 1
                : ((try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])?["entries"] as? [Any])?.count ?? -1
        }
        times.sort()
        Console.note(String(format: "%@: %.1f ms (median of %d), %d entries", name, times[times.count / 2], tries, returned))
        return Query(name: name, path: path, medianMilliseconds: times[times.count / 2], minimumMilliseconds: times.first!,
                     maximumMilliseconds: times.last!, returned: returned)
    }

    func table(_ report: Report) -> String {
        var table = TextTable("QUERY", "PATH", "MEDIAN MS", "MIN MS", "MAX MS", "ENTRIES")
        for query in report.queries {
            table.add(query.name, query.path, String(format: "%.1f", query.medianMilliseconds), String(format: "%.1f", query.minimumMilliseconds),
                      String(format: "%.1f", query.maximumMilliseconds), String(query.returned))
        }
        return """
            gx bench audit: \(report.entries) entries (\(report.logEntries) in the log), hub on \(report.store == "sqlite" ? "SQLite" : "PostgreSQL"); \(BenchRun.machine)
            filled in \(String(format: "%.1f", report.fillSeconds)) s (\(String(format: "%.0f", Double(report.entries) / max(report.fillSeconds, 0.001))) entries/s); each figure the median of \(report.tries) requests over HTTP

            \(table.render())

            goals: the console's first page under 300 ms at 1 M entries; a filtered first page under 1 s at 10 M
            """
    }
}

/// The hub the audit benchmark measures: initialised, loaded with the sample registry, served.
struct AuditBenchHub {
    let directory: URL
    let gx: String
    let documents: URL
    let environment: [String: String]

    var log: String { directory.appendingPathComponent("run.log").path }
    var hubDirectory: String { directory.appendingPathComponent("hub").path }

    func gx(_ arguments: [String]) async throws {
        try await MeasuredProcess.run(gx, arguments, log: log, environment: environment)
    }

    /// `gx hub init`, then the quickstart's registry through the API: agencies, catalogue, every sample
    /// agreement signed by both parties and filed, and an auditor (`hub/auditor.token`).
    func register(database: String) async throws {
        try await gx(["hub", "init", "--db", database, "--key-dir", hubDirectory])
        let (hub, url) = try await serve(database: database)
        defer { _ = hub.terminate() }
        let admin = ["--hub", url, "--token-file", hubDirectory + "/admin.token"]
        let agencies = directory.appendingPathComponent("agencies").path
        let list = documents.appendingPathComponent("Agreements/agencies.toml")
        let registry = try TOMLDocument.decode(AgencyListDocument.self, from: try String(contentsOf: list, encoding: .utf8), source: list.path)
        for agency in registry.agency { try await gx(["keys", "generate", "--out", agencies, "--name", agency.code]) }
        try await gx(["agencies", "import"] + admin + ["--keys", agencies, "--tokens", agencies, list.path])
        let catalogue = try FileManager.default.contentsOfDirectory(atPath: documents.appendingPathComponent("Catalogue").path)
            .filter { $0.hasSuffix(".toml") }.sorted().map { documents.appendingPathComponent("Catalogue/\($0)").path }
        try await gx(["catalogue", "publish"] + admin + catalogue)
        let agreements = try FileManager.default.contentsOfDirectory(atPath: documents.appendingPathComponent("Agreements").path)
            .filter { $0.hasPrefix("BJ-") && $0.hasSuffix(".toml") }.sorted().map { documents.appendingPathComponent("Agreements/\($0)").path }
        let entries = try Dictionary(catalogue.map { file in
            let entry = try TOMLDocument.decode(CatalogueEntry.self, from: try String(contentsOfFile: file, encoding: .utf8), source: file)
            return (entry.resourceCode, entry)
        }, uniquingKeysWith: { a, _ in a })
        for file in agreements {
            let terms = try TOMLDocument.decode(AgreementTerms.self, from: try String(contentsOfFile: file, encoding: .utf8), source: file)
            let levels = entries[terms.resourceCode].map { terms.levelsToAcknowledge(in: $0) } ?? []
            try await gx(["agreement", "import"] + admin + [file])
            for party in [terms.consumer, terms.provider] {
                try await gx(["agreement", "sign", terms.id, "--hub", url, "--token-file", "\(agencies)/\(party).token", "--key", "\(agencies)/\(party).key"])
            }
            try await gx(["agreement", "file", terms.id] + admin + (levels.isEmpty ? [] : ["--acknowledge-levels", levels.joined(separator: ",")]))
        }
        try await gx(["auditors", "add", "auditor", "--token-out", hubDirectory + "/auditor.token"] + admin)
    }

    func serve(database: String) async throws -> (MeasuredProcess, String) {
        let port = try FreePort.pick()
        let url = "http://127.0.0.1:\(port)"
        let hub = try MeasuredProcess.start(gx, ["hub", "serve", "--db", database, "--key", hubDirectory + "/hub.key",
                                                 "--batches", directory.appendingPathComponent("batches").path,
                                                 "--listen", "127.0.0.1:\(port)", "--log-level", "warning"],
                                            log: directory.appendingPathComponent("hub.log").path, environment: environment)
        for _ in 0..<600 {
            if (try? await MeasuredProcess.run("/usr/bin/curl", ["-fsS", "-o", "/dev/null", "\(url)/healthz"], log: "/dev/null")) != nil {
                return (hub, url)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        _ = hub.terminate()
        throw CLIError("the hub did not come up; see \(directory.appendingPathComponent("hub.log").path)")
    }

    func createDatabase(_ name: String, on server: PostgresSettings) async throws -> String {
        try await dropDatabase(name, on: server)
        try await MeasuredProcess.run("/usr/bin/env", ["psql", server.description, "-v", "ON_ERROR_STOP=1", "-qc", "CREATE DATABASE \(name)"],
                                      log: log, environment: environment)
        var settings = server
        settings.database = name
        return settings.description
    }

    func analyze(database: String) async throws {
        try await MeasuredProcess.run("/usr/bin/env", ["psql", database, "-v", "ON_ERROR_STOP=1", "-qc", "ANALYZE"], log: log, environment: environment)
    }

    func dropDatabase(_ name: String, on server: PostgresSettings) async throws {
        try await MeasuredProcess.run("/usr/bin/env", ["psql", server.description, "-v", "ON_ERROR_STOP=1", "-qc", "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"],
                                      log: log, environment: environment)
    }
}

/// N audit entries as a year of nights leaves them: for every resource its provider's accepted batch and
/// each consumer's receipt, sign-ins to the console, refused pulls, and now and then an agreement suspended
/// and resumed or a catalogue entry changed. Deterministic; appended through the store's own commit.
struct AuditBenchFill {
    let entries: Int
    /// When the first night's entries are dated.
    let start: Date
    /// Entries per transaction (one commit time each).
    let chunk = 2000

    func fill(_ store: any HubStore) async throws {
        let agreements = try await store.agreements(matching: AgreementQuery()).sorted { $0.id < $1.id }
        let catalogue = try await store.catalogueEntries().sorted { $0.resourceCode < $1.resourceCode }
        let agencies = try await store.agencies().map(\.code).sorted()
        guard !agreements.isEmpty, !catalogue.isEmpty else { throw CLIError("the benchmark hub has no agreements or catalogue") }
        // One year from `start`, spread evenly over the chunks.
        let step = 365 * 86_400 / Double(max(1, (entries + chunk - 1) / chunk))
        var night: [AuditDraft] = []
        var sequence: [String: Int64] = [:]
        var written = 0
        var drafts: [AuditDraft] = []
        var commits = 0
        var day = 0
        var lastNote = ContinuousClock.now
        while written < entries {
            if night.isEmpty {
                night = nightOf(day: day, agreements: agreements, catalogue: catalogue, agencies: agencies, sequence: &sequence)
                day += 1
            }
            drafts.append(night.removeFirst())
            written += 1
            if drafts.count == chunk || written == entries {
                try await store.commit([], audit: drafts, at: start.addingTimeInterval(Double(commits) * step))
                drafts.removeAll(keepingCapacity: true)
                commits += 1
                if ContinuousClock.now - lastNote > .seconds(10) {
                    Console.note("\(written) entries")
                    lastNote = .now
                }
            }
        }
    }

    func nightOf(day: Int, agreements: [SharingAgreement], catalogue: [CatalogueEntry], agencies: [String],
                 sequence: inout [String: Int64]) -> [AuditDraft] {
        var drafts: [AuditDraft] = []
        for entry in catalogue {
            let next = (sequence[entry.resourceCode] ?? 0) + 1
            sequence[entry.resourceCode] = next
            let subject = "\(entry.resourceCode)#\(next)"
            drafts.append(AuditDraft(actor: "agency:\(entry.provider)", action: "batch.accepted", subject: subject, agencies: [entry.provider],
                                     details: ["sequence": .integer(next), "records": .integer(1000 + (Int64(day) * 37 + next) % 4096),
                                               "quarantined": .integer(Int64(day % 7))]))
            for agreement in agreements where agreement.terms.resourceCode == entry.resourceCode {
                drafts.append(AuditDraft(actor: "agency:\(agreement.terms.consumer)", action: "batch.received", subject: subject, agreement: agreement.id,
                                         agencies: [agreement.terms.provider, agreement.terms.consumer],
                                         details: ["sequence": .integer(next), "records_sm3": .string(String(repeating: "0", count: 64)),
                                                   "upserts": .integer(1000), "deletes": .integer(Int64(day % 11))]))
            }
        }
        let agency = agencies[day % agencies.count]
        drafts.append(AuditDraft(actor: "agency:\(agency)", action: "console.signed_in", subject: "agency:\(agency)", agencies: [agency],
                                 details: ["address": .string("10.1.\(day % 200).\(day % 97)")]))
        if day % 3 == 0 {
            let agreement = agreements[day % agreements.count]
            drafts.append(AuditDraft(actor: "agency:\(agreement.terms.consumer)", action: "delivery.refused", subject: agreement.id, agreement: agreement.id,
                                     agencies: [agreement.terms.consumer], details: ["reason": .string("batch \(day) was not yet accepted")]))
        }
        if day % 97 == 0 {
            let agreement = agreements[(day / 97) % agreements.count]
            for (action, state) in [("agreement.suspended", "suspended"), ("agreement.resumed", "active")] {
                drafts.append(AuditDraft(actor: "admin:authority", action: action, subject: agreement.id, agreement: agreement.id,
                                         agencies: [agreement.terms.provider, agreement.terms.consumer],
                                         details: ["state": .string(state), "reason": .string("核查 \(day)")]))
            }
        }
        if day % 365 == 0 {
            let entry = catalogue[(day / 365) % catalogue.count]
            drafts.append(AuditDraft(actor: "admin:authority", action: "catalogue.changed", subject: entry.resourceCode, agencies: [entry.provider],
                                     details: ["schema_version": .string(entry.schemaVersion)]))
        }
        return drafts
    }
}

/// Timed HTTP requests, as a browser or client sends them, with a console session.
enum AuditBenchHTTP {
    static func get(_ url: String, headers: [(String, String)]) async throws -> (Double, ByteBuffer) {
        var request = HTTPClientRequest(url: url)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let started = ContinuousClock.now
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(300))
        let body = try await response.body.collect(upTo: 64 << 20)
        let elapsed = (ContinuousClock.now - started) / .milliseconds(1)
        guard response.status == .ok else { throw CLIError("\(url) answered \(response.status.code): \(String(buffer: body).prefix(500))") }
        return (elapsed, body)
    }

    /// Signs in to the console as a person does: the sign-in form (its CSRF cookie and field), then the POST.
    /// Returns the `Cookie` header value carrying the session.
    static func signIn(_ url: String, token: String) async throws -> String {
        let form = try await HTTPClient.shared.execute(HTTPClientRequest(url: url + "/console/"), timeout: .seconds(60))
        let page = String(buffer: try await form.body.collect(upTo: 1 << 20))
        guard let cookie = form.headers["set-cookie"].first(where: { $0.hasPrefix("gx_console_signin=") })?.split(separator: ";").first,
              let csrf = page.components(separatedBy: "name=\"csrf\" value=\"").dropFirst().first?.prefix(while: { $0 != "\"" }) else {
            throw CLIError("the console's sign-in page had no form token")
        }
        var request = HTTPClientRequest(url: url + "/console/sign-in")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Cookie", value: String(cookie))
        let allowed = CharacterSet.alphanumerics
        request.body = .bytes(ByteBuffer(string: "csrf=\(csrf)&token=\(token.addingPercentEncoding(withAllowedCharacters: allowed) ?? token)"))
        // The session cookie comes with the 303 to the home page: a client that followed it would lose it.
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .seconds(60))
            _ = try await response.body.collect(upTo: 1 << 20)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
        guard let session = response.headers["set-cookie"].first(where: { $0.hasPrefix("gx_console=") })?.split(separator: ";").first else {
            throw CLIError("signing in to the console answered \(response.status.code) without a session")
        }
        return String(session)
    }
}
