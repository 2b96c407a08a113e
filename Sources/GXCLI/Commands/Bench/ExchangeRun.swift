import Foundation
import GXDomain
import GXPostgres

/// Gongxiang on the benchmark's data: a `gx hub serve`, the provider's agent reading the export (CSV source)
/// and the consumer's agent following it into its PostgreSQL table, each a separate process, as agencies run them.
struct ExchangeRun {
    /// The documents the hub is set up from: `Agreements/` and `Catalogue/` of the repository.
    static let agreement = "BJ-GX-2026-004"
    static let provider = "111100000000210552"
    static let consumer = "11110000000021063W"

    let directory: URL
    let gx: String
    let documents: URL
    /// `--db` of the hub: a SQLite file or a PostgreSQL URL.
    let hubDatabase: String
    let consumerDatabase: String
    let environment: [String: String]
    let batchRecords: Int
    /// `--payloads` of the hub: `files` (in `batches`) or `postgres` (in its PostgreSQL database).
    var payloads = "files"

    var log: String { directory.appendingPathComponent("run.log").path }
    var export: String { directory.appendingPathComponent("agents/provider/export.csv").path }
    var batches: URL { directory.appendingPathComponent("batches") }
    func agencyFile(_ code: String, _ suffix: String) -> String { directory.appendingPathComponent("agencies/\(code).\(suffix)").path }

    struct Night: Sendable {
        var provider: MeasuredProcess.Outcome
        var consumer: MeasuredProcess.Outcome
        /// The hub's CPU seconds during the night, if /proc told.
        var hubCPUSeconds: Double?
        var wireBytes: Int64
        /// From both agents' start until the last of them ended.
        var seconds: Double
    }

    /// Initialises and starts the hub, registers the agencies, publishes the catalogue, files the agreement
    /// and writes both agents' configurations. Returns the serving hub.
    func start(mapping: String) async throws -> MeasuredProcess {
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("agents/provider"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("agents/consumer"), withIntermediateDirectories: true)
        let hubDirectory = directory.appendingPathComponent("hub").path
        try await gx(["hub", "init", "--db", hubDatabase, "--key-dir", hubDirectory])
        let port = try FreePort.pick()
        let url = "http://127.0.0.1:\(port)"
        let hub = try MeasuredProcess.start(gx, ["hub", "serve", "--db", hubDatabase, "--key", hubDirectory + "/hub.key", "--batches", batches.path,
                                                 "--payloads", payloads, "--listen", "127.0.0.1:\(port)", "--log-level", "warning"],
                                            log: directory.appendingPathComponent("hub.log").path, environment: environment)
        try await waitUntilServing(url)
        let admin = hubDirectory + "/admin.token"
        let agencies = directory.appendingPathComponent("agencies").path
        let registry = try TOMLDocument.decode(AgencyListDocument.self, from: try String(contentsOf: documents.appendingPathComponent("Agreements/agencies.toml"), encoding: .utf8),
                                               source: "Agreements/agencies.toml")
        for agency in registry.agency { try await gx(["keys", "generate", "--out", agencies, "--name", agency.code]) }
        let client = ["--hub", url, "--token-file", admin]
        try await gx(["agencies", "import"] + client + ["--keys", agencies, "--tokens", agencies, documents.appendingPathComponent("Agreements/agencies.toml").path])
        try await gx(["catalogue", "publish"] + client + [documents.appendingPathComponent("Catalogue/RK-001-population.toml").path])
        try await gx(["agreement", "import"] + client + [documents.appendingPathComponent("Agreements/BJ-GX-2026-004-population-to-social-security.toml").path])
        for party in [Self.consumer, Self.provider] {
            try await gx(["agreement", "sign", Self.agreement, "--hub", url, "--token-file", agencyFile(party, "token"), "--key", agencyFile(party, "key")])
        }
        // 人口 items are 重要 (GB/T 43697-2024): the authority acknowledges it when filing.
        try await gx(["agreement", "file", Self.agreement, "--acknowledge-levels", "重要"] + client)
        try writeConfigurations(hub: url, mapping: mapping)
        return hub
    }

    private func writeConfigurations(hub: String, mapping: String) throws {
        func header(_ code: String) -> String {
            """
            hub = "\(hub)"
            agency = "\(code)"
            token_file = "\(agencyFile(code, "token"))"
            key_file = "\(agencyFile(code, "key"))"
            hub_key_file = "\(directory.appendingPathComponent("hub/hub.pub").path)"
            state_dir = "state"

            """
        }
        let provideMaps = mapping.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("[[provide]]") }.joined(separator: "\n")
        let provider = header(Self.provider) + """
            [[provide]]
            resource = "RK-001"
            batch_records = \(batchRecords)
            [provide.source]
            kind = "csv"
            path = "export.csv"
            key = ["id_no"]

            \(provideMaps)
            """
        let items = ["公民身份号码", "姓名", "性别代码", "出生日期", "户籍地行政区划", "人员状态代码"]
        let consumer = header(Self.consumer) + """
            [[consume]]
            agreement = "\(Self.agreement)"
            [consume.sink]
            kind = "postgres"
            url = "\(consumerDatabase)"
            table = "people"
            key = ["公民身份号码"]
            create = true

            """ + items.map { "[[consume.map]]\nitem = \"\($0)\"\ncolumn = \"\($0)\"\n" }.joined(separator: "\n")
        try provider.write(toFile: directory.appendingPathComponent("agents/provider/agent.toml").path, atomically: true, encoding: .utf8)
        try consumer.write(toFile: directory.appendingPathComponent("agents/consumer/agent.toml").path, atomically: true, encoding: .utf8)
    }

    /// One night: the export in place, then both agents started together, as a nightly schedule would: the
    /// consumer's with `--follow`, applying each batch as the provider pushes it, until the pass ends (the
    /// benchmark's nights follow each other within minutes, so the pass awaited is one accepted since the start).
    func night(export source: String, hub: MeasuredProcess) async throws -> Night {
        _ = try? FileManager.default.removeItem(atPath: export)
        try FileManager.default.linkItem(atPath: source, toPath: export)
        let before = try await wireBytes()
        let hubBefore = hub.cpuSecondsSoFar()
        let started = ContinuousClock.now
        async let consumer = MeasuredProcess.run(gx, ["agent", "run", "--follow", "--follow-timeout", "600", "--pass-since", "now",
                                                      "--config", directory.appendingPathComponent("agents/consumer/agent.toml").path],
                                                 log: log, environment: environment)
        let provider = try await MeasuredProcess.run(gx, ["agent", "run", "--config", directory.appendingPathComponent("agents/provider/agent.toml").path],
                                                     log: log, environment: environment)
        let consumed = try await consumer
        let seconds = (ContinuousClock.now - started) / .seconds(1)
        let hubCPU = hub.cpuSecondsSoFar().flatMap { after in hubBefore.map { after - $0 } }
        return Night(provider: provider, consumer: consumed, hubCPUSeconds: hubCPU, wireBytes: try await wireBytes() - before, seconds: seconds)
    }

    /// Payload bytes that crossed the wire: pushed batches and the deliveries consumers pulled.
    func wireBytes() async throws -> Int64 {
        if payloads == "postgres" {
            // Sealed, as the files are.
            let output = directory.appendingPathComponent("wire.out").path
            try? FileManager.default.removeItem(atPath: output)
            try await MeasuredProcess.run("/usr/bin/env", ["psql", hubDatabase, "-Atc", "SELECT coalesce(sum(bytes), 0) FROM payloads WHERE name LIKE 'RK-001/%'"],
                                          log: output, environment: environment)
            return Int64(try String(contentsOfFile: output, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        }
        guard let files = FileManager.default.enumerator(at: batches.appendingPathComponent("RK-001"), includingPropertiesForKeys: [.fileSizeKey]) else { return 0 }
        var total: Int64 = 0
        for case let file as URL in files where file.pathExtension == "deflate" {
            total += Int64((try? file.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0)
        }
        return total
    }

    private func gx(_ arguments: [String]) async throws {
        try await MeasuredProcess.run(gx, arguments, log: log, environment: environment)
    }

    private func waitUntilServing(_ url: String) async throws {
        for _ in 0..<200 {
            if (try? await MeasuredProcess.run("/usr/bin/curl", ["-fsS", "-o", "/dev/null", "\(url)/healthz"], log: "/dev/null")) != nil { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CLIError("the hub did not come up; see \(directory.appendingPathComponent("hub.log").path)")
    }
}

/// A free TCP port on loopback, as the kernel hands one out.
enum FreePort {
    static func pick() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CLIError("cannot open a socket") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw CLIError("cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
