import Foundation
import GXCrypto
import GXDomain
import GXHub

/// The city of `gx bench city`: one hub, its agencies with their keys, tokens and agent configurations, the
/// resources they provide and the agreements between them — then nights in which every agent runs at once.
struct CityNetwork {
    let directory: URL
    let gx: String
    let documents: URL
    let agencies: Int
    let pairs: Int
    let rows: Int
    let largeResources: Int
    let largeRows: Int
    let seed: UInt64

    /// What one night measured.
    struct Night: Codable {
        var name: String
        var records: Int64
        var seconds: Double
        var requests: Int64
        var requestsPerSecond: Double
        var refused: Int64
        /// Refused requests by "METHOD route status".
        var refusals: [String: Int64]
        var agentsFailed: Int
        var hubPeakMB: Double
        var mostSockets: Int
    }

    /// One of the three registers every agency provides a copy of, with what its agent's configuration needs.
    struct Register {
        let entry: CatalogueEntry
        let terms: AgreementTerms
        /// `gx sample --print-mapping`'s `[[provide.map]]` tables.
        let mapping: String
        let keyColumn: String
        var keyItem: String { entry.items.first(where: \.key)?.name ?? "" }
        var prefix: String { String(entry.resourceCode.prefix { $0 != "-" }) }
    }

    struct Resource {
        let code: String
        let register: Register
        let provider: Int
        let rows: Int
    }

    struct Pair {
        let id: String
        let resource: Resource
        let consumer: Int
    }

    var hubURL: String { "http://127.0.0.1:\(port)" }
    let port: Int

    init(directory: URL, gx: String, documents: URL, agencies: Int, pairs: Int, rows: Int, largeResources: Int, largeRows: Int,
         seed: UInt64) throws {
        (self.directory, self.gx, self.documents, self.agencies, self.pairs) = (directory, gx, documents, agencies, pairs)
        (self.rows, self.largeResources, self.largeRows, self.seed) = (rows, largeResources, largeRows, seed)
        port = try FreePort.pick()
    }

    func agencyCode(_ index: Int) -> String { FanOutRun.agencyCode(500 + index) }
    func agentDirectory(_ index: Int) -> URL { directory.appendingPathComponent("agents/\(agencyCode(index))") }

    func run(followTimeout: Int) async throws -> [Night] {
        let log = directory.appendingPathComponent("setup.log").path
        let database = directory.appendingPathComponent("hub.sqlite").path
        try await MeasuredProcess.run(gx, ["hub", "init", "--db", database], log: log)
        let hub = try MeasuredProcess.start(gx, ["hub", "serve", "--db", database, "--listen", "127.0.0.1:\(port)", "--log-level", "warning"],
                                            log: directory.appendingPathComponent("hub.log").path)
        defer { _ = hub.terminate() }
        try await waitUntilServing()
        let admin = HubClient(baseURL: hubURL, token: try SecretFile.read(directory.appendingPathComponent("admin.token").path)
            .trimmingCharacters(in: .whitespacesAndNewlines))

        Console.note("city: registering \(agencies) agencies, \(agencies * 3) resources and \(pairs) agreements")
        let registers = try await registers(log: log)
        let keys = try await registerAgencies(admin)
        let resources = (0..<agencies * 3).map { index in
            let register = registers[index % 3]
            return Resource(code: "\(register.prefix)-C\(String(format: "%02d", index / 3))", register: register, provider: index / 3,
                            rows: index < largeResources ? largeRows : rows)
        }
        for resource in resources {
            var entry = resource.register.entry
            entry.resourceCode = resource.code
            entry.provider = agencyCode(resource.provider)
            let _: CatalogueEntry = try await admin.post("/v1/catalogue", entry)
        }
        let pairs = (0..<self.pairs).map { index in
            let resource = resources[index % resources.count]
            let consumer = (resource.provider + 1 + index / resources.count) % agencies
            return Pair(id: "CITY-\(resource.code)-\(consumer)", resource: resource, consumer: consumer)
        }
        try await fileAgreements(pairs, admin: admin, keys: keys)
        try writeConfigurations(resources: resources, pairs: pairs)

        var nights: [Night] = []
        for night in 1...2 {
            try await export(resources, night: night)
            nights.append(try await measureNight(night, hub: hub, admin: admin, followTimeout: followTimeout))
            Console.note("city: night \(night) took \(String(format: "%.1f", nights[night - 1].seconds)) s")
        }
        return nights
    }

    // MARK: Set-up

    private func registers(log: String) async throws -> [Register] {
        func documents<T: Decodable>(_ folder: String, _ type: T.Type) throws -> [T] {
            let url = self.documents.appendingPathComponent(folder)
            return try FileManager.default.contentsOfDirectory(atPath: url.path).filter { $0.hasSuffix(".toml") && $0 != "agencies.toml" }.sorted()
                .map { name in
                    let path = url.appendingPathComponent(name).path
                    return try TOMLDocument.decode(T.self, from: try SecretFile.read(path), source: path)
                }
        }
        let entries = try documents("Catalogue", CatalogueEntry.self)
        let agreements = try documents("Agreements", AgreementTerms.self)
        var registers: [Register] = []
        for code in ["FR-001", "RK-001", "FC-001"] {
            guard let entry = entries.first(where: { $0.resourceCode == code }), let terms = agreements.first(where: { $0.resourceCode == code }) else {
                throw CLIError("\(self.documents.path) lacks the catalogue entry or an agreement of \(code): run from the repository root or pass --documents")
            }
            let mappingFile = directory.appendingPathComponent("mapping-\(code).toml").path
            try await MeasuredProcess.run(gx, ["sample", "--resource", code, "--print-mapping"], log: mappingFile)
            let mapping = try SecretFile.read(mappingFile).split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.hasPrefix("[[provide]]") }.joined(separator: "\n")
            let keyItem = entry.items.first(where: \.key)?.name ?? ""
            let lines = mapping.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let itemLine = lines.firstIndex(of: "item = \"\(keyItem)\""),
                  let columnLine = lines[itemLine...].first(where: { $0.hasPrefix("column = ") }) else {
                throw CLIError("gx sample --print-mapping for \(code) does not map the key item \(keyItem)")
            }
            let keyColumn = String(columnLine.dropFirst("column = ".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            registers.append(Register(entry: entry, terms: terms, mapping: mapping, keyColumn: keyColumn))
        }
        return registers
    }

    /// Each agency with its own SM2 key and token, written 0600 beside its agent's configuration.
    private func registerAgencies(_ admin: HubClient) async throws -> [SM2PrivateKey] {
        var keys: [SM2PrivateKey] = []
        for index in 0..<agencies {
            let key = try SM2PrivateKey.generate()
            let registered: HubAPI.RegisteredAgency = try await admin.post(
                "/v1/agencies", HubAPI.RegisterAgency(code: agencyCode(index), name: "城市测试机关 \(index)", publicKey: key.publicKey.pem,
                                                      roles: [.provider, .consumer]))
            let folder = agentDirectory(index)
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("data"), withIntermediateDirectories: true)
            for (name, text) in [("agency.key", key.pkcs8PEM), ("agency.token", registered.credential.token + "\n")] {
                let path = folder.appendingPathComponent(name).path
                guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
                    throw CLIError("cannot write \(path)")
                }
            }
            keys.append(key)
        }
        return keys
    }

    /// Every agreement drafted by the authority, signed by its consumer and its provider, and filed; eight at a time.
    private func fileAgreements(_ pairs: [Pair], admin: HubClient, keys: [SM2PrivateKey]) async throws {
        let tokens = try (0..<agencies).map {
            try SecretFile.read(agentDirectory($0).appendingPathComponent("agency.token").path).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let url = hubURL
        let agencyCodes = (0..<agencies).map(agencyCode)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, pair) in pairs.enumerated() {
                if index >= 8 { try await group.next() }
                var terms = pair.resource.register.terms
                terms.id = pair.id
                terms.provider = agencyCodes[pair.resource.provider]
                terms.consumer = agencyCodes[pair.consumer]
                terms.resourceCode = pair.resource.code
                let levels = terms.levelsToAcknowledge(in: pair.resource.register.entry)
                let signers = [(keys[pair.consumer], tokens[pair.consumer]), (keys[pair.resource.provider], tokens[pair.resource.provider])]
                group.addTask {
                    let _: HubAPI.AgreementView = try await admin.post("/v1/agreements", terms)
                    for (key, token) in signers {
                        let signature = try key.signature(for: terms.canonicalBytes)
                        let _: HubAPI.AgreementView = try await HubClient(baseURL: url, token: token).post(
                            "/v1/agreements/\(terms.id)/signatures", HubAPI.Sign(signature: Data(signature).base64EncodedString()))
                    }
                    let _: HubAPI.AgreementView = try await admin.post("/v1/agreements/\(terms.id)/filing", HubAPI.Filing(acknowledgedLevels: levels))
                }
            }
            try await group.waitForAll()
        }
    }

    /// One `agent.toml` per agency: its three resources read from CSV, its agreements applied into SQLite.
    private func writeConfigurations(resources: [Resource], pairs: [Pair]) throws {
        func quoted(_ text: String) -> String { "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        for index in 0..<agencies {
            var lines = ["# Agent of \(agencyCode(index)), written by gx bench city.", "hub = \(quoted(hubURL))", "agency = \(quoted(agencyCode(index)))",
                         "token_file = \"agency.token\"", "key_file = \"agency.key\"", "hub_key_file = \"../../hub.pub\"", "state_dir = \"state\"", ""]
            for resource in resources where resource.provider == index {
                lines += ["[[provide]]", "resource = \(quoted(resource.code))", "batch_records = 5000", "[provide.source]", "kind = \"csv\"",
                          "path = \(quoted("data/\(resource.code).csv"))", "key = [\(quoted(resource.register.keyColumn))]", "", resource.register.mapping, ""]
            }
            for pair in pairs where pair.consumer == index {
                lines += ["[[consume]]", "agreement = \(quoted(pair.id))", "[consume.sink]", "kind = \"sqlite\"", "path = \"data/received.sqlite\"",
                          "table = \(quoted(pair.id.replacingOccurrences(of: "-", with: "_")))", "key = [\(quoted(pair.resource.register.keyItem))]",
                          "create = true", ""]
                for item in pair.resource.register.terms.items {
                    lines += ["[[consume.map]]", "item = \(quoted(item))", "column = \(quoted(item))", ""]
                }
            }
            try lines.joined(separator: "\n").write(to: agentDirectory(index).appendingPathComponent("agent.toml"), atomically: true, encoding: .utf8)
        }
    }

    /// Each provider's export for `night`, two `gx sample` processes at a time.
    private func export(_ resources: [Resource], night: Int) async throws {
        let gx = gx
        let seed = seed
        let log = directory.appendingPathComponent("setup.log").path
        let folders = resources.map { agentDirectory($0.provider).appendingPathComponent("data/\($0.code).csv").path }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, resource) in resources.enumerated() {
                if index >= 2 { try await group.next() }
                let arguments = ["sample", "--resource", resource.register.entry.resourceCode, "--rows", String(resource.rows),
                                 "--seed", String(seed &+ UInt64(index)), "--night", String(night), "--out", folders[index]]
                group.addTask { try await MeasuredProcess.run(gx, arguments, log: log) }
            }
            try await group.waitForAll()
        }
    }

    // MARK: A night

    private func measureNight(_ night: Int, hub: MeasuredProcess, admin: HubClient, followTimeout: Int) async throws -> Night {
        let before = try await requestCounts(admin)
        // Peak RSS from this night on (Linux: writing 5 to clear_refs resets VmHWM).
        try? "5".write(toFile: "/proc/\(hub.pid)/clear_refs", atomically: false, encoding: .utf8)
        let since = Timestamp.string(from: Date())
        let started = ContinuousClock.now
        let agents = try (0..<agencies).map { index in
            try MeasuredProcess.start(gx, ["agent", "run", "--config", agentDirectory(index).appendingPathComponent("agent.toml").path, "--follow",
                                           "--follow-timeout", String(followTimeout), "--pass-since", since, "--log-level", "info"],
                                      log: agentDirectory(index).appendingPathComponent("night-\(night).log").path)
        }
        let sampler = Task { () -> Int in
            var most = 0
            while !Task.isCancelled {
                most = max(most, Self.openSockets(pid: hub.pid))
                try? await Task.sleep(for: .milliseconds(100))
            }
            return most
        }
        let outcomes = await withTaskGroup(of: MeasuredProcess.Outcome.self) { group in
            for agent in agents {
                group.addTask { await withCheckedContinuation { continuation in Thread { continuation.resume(returning: agent.wait()) }.start() } }
            }
            var outcomes: [MeasuredProcess.Outcome] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        let elapsed = ContinuousClock.now - started
        sampler.cancel()
        let mostSockets = await sampler.value
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let after = try await requestCounts(admin)
        var refusals: [String: Int64] = [:]
        for (key, count) in after.byOutcome where key.status >= 400 {
            let delta = count - (before.byOutcome[key] ?? 0)
            if delta > 0 { refusals["\(key.method) \(key.route) \(key.status)"] = delta }
        }
        let requests = after.total - before.total
        return Night(name: night == 1 ? "1 (load)" : "\(night) (1 % delta)", records: after.records - before.records, seconds: seconds,
                     requests: requests, requestsPerSecond: Double(requests) / max(seconds, 0.001), refused: refusals.values.reduce(0, +),
                     refusals: refusals, agentsFailed: outcomes.filter { $0.status != 0 }.count, hubPeakMB: Self.peakMB(pid: hub.pid),
                     mostSockets: mostSockets)
    }

    struct RequestKey: Hashable {
        let method: String
        let route: String
        let status: Int
    }

    /// The hub's request counts by method, route and status, and its accepted records, from `/metrics`.
    private func requestCounts(_ admin: HubClient) async throws -> (total: Int64, byOutcome: [RequestKey: Int64], records: Int64) {
        let file = directory.appendingPathComponent("metrics.txt")
        FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        try await admin.download("/metrics", into: handle)
        try handle.close()
        var byOutcome: [RequestKey: Int64] = [:]
        var records: Int64 = 0
        for line in try SecretFile.read(file.path).split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            if line.hasPrefix("gongxiang_records_total") { records += Int64(value) }
            guard line.hasPrefix("gongxiang_http_request_duration_seconds_count{") else { continue }
            func label(_ name: String) -> String {
                guard let start = line.range(of: "\(name)=\"") else { return "" }
                return String(line[start.upperBound...].prefix { $0 != "\"" })
            }
            byOutcome[RequestKey(method: label("method"), route: label("route"), status: Int(label("status")) ?? 0), default: 0] += Int64(value)
        }
        return (byOutcome.values.reduce(0, +), byOutcome, records)
    }

    static func openSockets(pid: pid_t) -> Int {
        let folder = "/proc/\(pid)/fd"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return entries.filter { ((try? FileManager.default.destinationOfSymbolicLink(atPath: "\(folder)/\($0)")) ?? "").hasPrefix("socket:") }.count
    }

    static func peakMB(pid: pid_t) -> Double {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }

    private func waitUntilServing() async throws {
        for _ in 0..<200 {
            if let probe = try? await MeasuredProcess.run("/usr/bin/curl", ["-fsS", "-o", "/dev/null", "\(hubURL)/healthz"], log: "/dev/null"),
               probe.status == 0 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CLIError("the hub did not come up; see \(directory.appendingPathComponent("hub.log").path)")
    }
}
