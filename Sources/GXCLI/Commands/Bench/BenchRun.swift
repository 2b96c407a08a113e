import Foundation
import GXDomain
import GXSamples
import GXPostgres

/// The benchmark's steps in order: data, databases, the baseline, then Gongxiang with each hub store.
struct BenchRun {
    let directory: URL
    let gx: String
    let server: PostgresSettings
    let environment: [String: String]
    let documents: URL
    let rows: Int
    let seed: UInt64
    let batchRecords: Int
    /// Where the PostgreSQL hub keeps payloads: `postgres` (its database) or `files`.
    var hubPayloads = "postgres"

    var nightOne: String { directory.appendingPathComponent("data/night-1.csv").path }
    var nightTwo: String { directory.appendingPathComponent("data/night-2.csv").path }

    func run() async throws -> BenchReport {
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("data"), withIntermediateDirectories: true)
        Console.note("generating \(rows) rows of RK-001 and the next night's export in \(directory.path)/data")
        let register = SampleRegister(resource: .population, rows: rows, seed: seed, night: 1)
        try SampleCommand.CSVOutput.write(register, toFile: nightOne)
        try SampleCommand.CSVOutput.write(SampleRegister(resource: .population, rows: rows, seed: seed, night: 2), toFile: nightTwo)
        let sizes = (try size(nightOne), try size(nightTwo))

        // PostgreSQL's own CPU in each phase, when the server runs on this machine.
        let serverCPU = await ServerCPU.locate(database: server.description, environment: environment, scratch: directory)
        var paths: [BenchReport.Path] = []
        paths += try await baseline(columns: register.columns, inputBytes: sizes, serverCPU: serverCPU)
        let deltaRecords = paths.last!.records
        for (label, store) in [("gongxiang (hub on SQLite)", "sqlite"), ("gongxiang (hub on PostgreSQL)", "postgres")] {
            paths += try await exchange(label: label, store: store, mapping: register.mappingTOML, inputBytes: sizes, deltaRecords: deltaRecords,
                                        serverCPU: serverCPU)
        }
        let ratios = BenchReport.ratios(paths)
        return BenchReport(rows: rows, seed: seed, machine: Self.machine, paths: paths, loadRatio: ratios.load, deltaRatio: ratios.delta,
                           ratios: ratios.each, cpuRatios: BenchReport.cpuRatios(paths), micro: [])
    }

    private func baseline(columns: [String], inputBytes: (Int64, Int64), serverCPU: ServerCPU?) async throws -> [BenchReport.Path] {
        let database = try await createDatabase("gx_bench_baseline")
        let pipeline = try BaselinePipeline(directory: directory.appendingPathComponent("baseline"), columns: columns, key: "id_no")
        try await psql(database, pipeline.tableDefinition)
        let port = try FreePort.pick()
        let log = pipeline.directory.appendingPathComponent("baseline.log").path
        let receiver = try MeasuredProcess.start("/usr/bin/env", ["python3", pipeline.directory.appendingPathComponent("receiver.py").path, String(port), pipeline.inbox.path],
                                                 log: log)
        defer { _ = receiver.terminate() }
        try await waitForPort(port)
        Console.note("baseline: initial load")
        var server = serverCPU?.seconds()
        let load = try await MeasuredProcess.run("/bin/bash", [pipeline.directory.appendingPathComponent("load.sh").path, nightOne, database, String(port)],
                                                 log: log, environment: environment)
        let loadServer = Self.since(&server, serverCPU)
        let loaded = try await count(database)
        Console.note("baseline: next night")
        let delta = try await MeasuredProcess.run("/bin/bash", [pipeline.directory.appendingPathComponent("delta.sh").path, nightOne, nightTwo, database, String(port)],
                                                  log: log, environment: environment)
        let deltaServer = Self.since(&server, serverCPU)
        let changed = try lineCount(pipeline.directory.appendingPathComponent("upserts.csv").path)
            + lineCount(pipeline.directory.appendingPathComponent("deletes.keys").path)
        let finalRows = try await count(database)
        try await settle(dropping: ["gx_bench_baseline"])
        return [
            .init(path: BenchReport.baseline, phase: "load", seconds: load.seconds, records: rows, inputBytes: inputBytes.0,
                  wireBytes: pipeline.loadWireBytes, peakRSS: ["pipeline": load.peakRSS], consumerRows: loaded,
                  processSeconds: ["pipeline": load.seconds], cpuSeconds: ["pipeline": load.cpuSeconds], serverCPUSeconds: loadServer),
            .init(path: BenchReport.baseline, phase: "delta", seconds: delta.seconds, records: changed, inputBytes: inputBytes.0 + inputBytes.1,
                  wireBytes: pipeline.deltaWireBytes, peakRSS: ["pipeline": delta.peakRSS], consumerRows: finalRows,
                  processSeconds: ["pipeline": delta.seconds], cpuSeconds: ["pipeline": delta.cpuSeconds], serverCPUSeconds: deltaServer),
        ]
    }

    private func exchange(label: String, store: String, mapping: String, inputBytes: (Int64, Int64), deltaRecords: Int,
                          serverCPU: ServerCPU?) async throws -> [BenchReport.Path] {
        let folder = directory.appendingPathComponent("gongxiang-\(store)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let hubDatabase = store == "sqlite" ? folder.appendingPathComponent("hub/hub.sqlite").path : try await createDatabase("gx_bench_hub")
        let consumer = try await createDatabase("gx_bench_consumer_\(store)")
        var run = ExchangeRun(directory: folder, gx: gx, documents: documents, hubDatabase: hubDatabase, consumerDatabase: consumer,
                              environment: environment, batchRecords: batchRecords)
        run.payloads = store == "sqlite" ? "files" : hubPayloads
        Console.note("\(label): setting up the hub, agencies and agreement")
        let hub = try await run.start(mapping: mapping)
        let load: ExchangeRun.Night, delta: ExchangeRun.Night
        var server: Double?
        let loadServer: Double?, deltaServer: Double?
        do {
            Console.note("\(label): initial load")
            server = serverCPU?.seconds()
            load = try await run.night(export: nightOne, hub: hub)
            loadServer = Self.since(&server, serverCPU)
            Console.note("\(label): next night")
            delta = try await run.night(export: nightTwo, hub: hub)
            deltaServer = Self.since(&server, serverCPU)
        } catch {
            _ = hub.terminate()
            throw error
        }
        let hubOutcome = hub.terminate()
        let loadedRows = try await count(consumer)
        try await settle(dropping: ["gx_bench_consumer_\(store)"] + (store == "sqlite" ? [] : ["gx_bench_hub"]))
        func rss(_ night: ExchangeRun.Night) -> [String: Int64] {
            ["hub": hubOutcome.peakRSS, "provider": night.provider.peakRSS, "consumer": night.consumer.peakRSS]
        }
        func wall(_ night: ExchangeRun.Night) -> [String: Double] { ["provider": night.provider.seconds, "consumer": night.consumer.seconds] }
        func cpu(_ night: ExchangeRun.Night) -> [String: Double] {
            ["provider": night.provider.cpuSeconds, "consumer": night.consumer.cpuSeconds].merging(night.hubCPUSeconds.map { ["hub": $0] } ?? [:]) { $1 }
        }
        return [
            .init(path: label, phase: "load", seconds: load.seconds, records: rows, inputBytes: inputBytes.0, wireBytes: load.wireBytes,
                  peakRSS: rss(load), consumerRows: loadedRows, processSeconds: wall(load), cpuSeconds: cpu(load), serverCPUSeconds: loadServer),
            .init(path: label, phase: "delta", seconds: delta.seconds, records: deltaRecords, inputBytes: inputBytes.1, wireBytes: delta.wireBytes,
                  peakRSS: rss(delta), consumerRows: loadedRows, processSeconds: wall(delta), cpuSeconds: cpu(delta), serverCPUSeconds: deltaServer),
        ]
    }

    // MARK: Helpers

    /// The server's CPU since `reading`, which becomes the reading now.
    private static func since(_ reading: inout Double?, _ serverCPU: ServerCPU?) -> Double? {
        let now = serverCPU?.seconds()
        defer { reading = now }
        guard let now, let before = reading else { return nil }
        return now - before
    }

    /// Drops a finished path's databases and checkpoints, so the next path does not share the server with
    /// autovacuum and writeback of the last one's million rows.
    private func settle(dropping names: [String]) async throws {
        for name in names { try await psql(server.description, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
        try await psql(server.description, "CHECKPOINT")
    }

    /// A fresh database on the server (dropped first if a previous run left it), as a URL for children.
    private func createDatabase(_ name: String) async throws -> String {
        try await psql(server.description, "DROP DATABASE IF EXISTS \(name)")
        try await psql(server.description, "CREATE DATABASE \(name)")
        var settings = server
        settings.database = name
        return settings.description
    }

    private func psql(_ database: String, _ sql: String) async throws {
        try await MeasuredProcess.run("/usr/bin/env", ["psql", database, "-v", "ON_ERROR_STOP=1", "-qc", sql],
                                      log: directory.appendingPathComponent("psql.log").path, environment: environment)
    }

    private func count(_ database: String) async throws -> Int {
        let output = directory.appendingPathComponent("count.out").path
        try? FileManager.default.removeItem(atPath: output)
        try await MeasuredProcess.run("/usr/bin/env", ["psql", database, "-Atc", "SELECT count(*) FROM people"], log: output, environment: environment)
        return Int(try String(contentsOfFile: output, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    private func waitForPort(_ port: Int) async throws {
        for _ in 0..<100 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = UInt16(port).bigEndian
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            close(fd)
            if connected { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CLIError("the baseline's receiver did not start on port \(port)")
    }

    private func size(_ path: String) throws -> Int64 {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0
    }

    private func lineCount(_ path: String) throws -> Int {
        guard let handle = FileHandle(forReadingAtPath: path) else { return 0 }
        defer { try? handle.close() }
        var lines = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            lines += chunk.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        }
        return lines
    }

    static var machine: String {
        let memory = ProcessInfo.processInfo.physicalMemory / 1_073_741_824
        return "\(ProcessInfo.processInfo.activeProcessorCount) cores, \(memory) GiB, \(ProcessInfo.processInfo.operatingSystemVersionString)"
    }
}
