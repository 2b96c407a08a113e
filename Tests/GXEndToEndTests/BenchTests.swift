import Foundation
import GRDB
import GXTestSupport
import Testing

/// `gx bench` at a small size, so the benchmark keeps working; its figures are printed, never asserted.
@Suite("gx bench")
struct BenchTests {
    @Test("a 20 000-row run completes every path, leaves each consumer with every row, and writes both ratios as JSON")
    func smallRun() async throws {
        let server = try TestPostgres.server()
        let work = try temporaryDirectory("bench")
        let json = work.appendingPathComponent("bench.json").path
        let result = try await GXBinary.run(["bench", "--rows", "20000", "--postgres", server.description, "--work", work.appendingPathComponent("run").path,
                                       "--json", json, "--digests", "20000", "--seed", "7"])
        try #require(result.status == 0, "\(result.stdout)\(result.stderr.suffix(3000))")
        #expect(result.stdout.contains("load_ratio"))
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        let load = try #require(report["load_ratio"] as? Double), delta = try #require(report["delta_ratio"] as? Double)
        #expect(load > 0 && load.isFinite)
        #expect(delta > 0 && delta.isFinite)
        let paths = try #require(report["paths"] as? [[String: Any]])
        #expect(paths.count == 6, "baseline, hub on SQLite, hub on PostgreSQL; load and delta each")
        let rows = Set(paths.compactMap { $0["consumer_rows"] as? Int })
        #expect(rows.count == 1, "every path should end with the same rows: \(rows)")
        #expect(rows.first.map { $0 > 19_000 } == true)
        for path in paths where (path["path"] as? String)?.hasPrefix("gongxiang") == true {
            let cpu = try #require(path["cpu_seconds"] as? [String: Double], "\(path)")
            #expect(Set(cpu.keys) == ["provider", "consumer", "hub"], "each process's CPU is reported per phase: \(cpu)")
            #expect(cpu.values.allSatisfy { $0 >= 0 && $0.isFinite })
        }
        let micro = try #require(report["micro"] as? [[String: Any]])
        #expect(Set(micro.compactMap { $0["name"] as? String }).count == 12)
        // The CPU ratio is the sum of Gongxiang's processes over the baseline's, for each phase and hub store.
        let cpuRatios = try #require(report["cpu_ratios"] as? [String: Double])
        #expect(cpuRatios.count == 4, "\(cpuRatios)")
        let baseline = try #require(paths.first { ($0["path"] as? String)?.hasPrefix("baseline") == true && $0["phase"] as? String == "load" })
        let sqlite = try #require(paths.first { ($0["path"] as? String)?.contains("SQLite") == true && $0["phase"] as? String == "load" })
        let ratio = try #require(cpuRatios["load: \(sqlite["path"] as! String)"])
        let expected = (sqlite["cpu_seconds"] as! [String: Double]).values.reduce(0, +) / (baseline["cpu_seconds"] as! [String: Double]).values.reduce(0, +)
        #expect(abs(ratio - expected) < 1e-9)
        #expect(result.stdout.contains("CPU ratio Gongxiang"))
        // The floor under the load's CPU: every party's required steps, summed over the script's CPU.
        let required = try #require(report["required_work"] as? [String: Any])
        let steps = try #require(required["steps"] as? [[String: Any]])
        #expect(Set(steps.compactMap { $0["party"] as? String }) == ["provider", "hub", "consumer"])
        let floor = steps.compactMap { $0["cpu_seconds"] as? Double }.reduce(0, +)
        #expect(floor > 0 && steps.count == 10, "\(steps)")
        let floorRatio = try #require(report["floor_cpu_ratio"] as? Double)
        #expect(abs(floorRatio - floor / (baseline["cpu_seconds"] as! [String: Double]).values.reduce(0, +)) < 1e-9)
        #expect(result.stdout.contains("what a load of 20000 rows cannot skip"))
        // The test server runs on this machine, so its own CPU is read for every phase, and the load's wall floor follows.
        for path in paths {
            let server = try #require(path["postgres_cpu_seconds"] as? Double, "\(path)")
            #expect(server >= 0 && server.isFinite)
            if path["phase"] as? String == "load" { #expect(server > 0, "a load makes the server work: \(path)") }
        }
        let floorLoads = try #require(report["floor_load_ratios"] as? [String: Double])
        #expect(floorLoads.count == 2, "\(floorLoads)")
        let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
        let sqliteServer = try #require(sqlite["postgres_cpu_seconds"] as? Double)
        let expectedFloorLoad = (floor + sqliteServer) / cores / (baseline["seconds"] as! Double)
        #expect(abs(try #require(floorLoads[sqlite["path"] as! String]) - expectedFloorLoad) < 1e-9)
    }

    @Test("gx bench floor times each party's required steps without a PostgreSQL server, scaled to the rows asked")
    func floorAlone() async throws {
        let result = try await GXBinary.run(["bench", "floor", "--rows", "4000"])
        try #require(result.status == 0, "\(result.stdout)\(result.stderr.suffix(3000))")
        let steps = result.stdout.split(separator: "\n").filter { $0.hasPrefix("  provider") || $0.hasPrefix("  hub") || $0.hasPrefix("  consumer") }
        #expect(steps.count == 10, "\(result.stdout)")
        #expect(steps.contains { $0.contains("sealing the delivery at rest: SM4-CTR, HMAC-SM3") })
        #expect(steps.contains { $0.contains("the snapshot for the next night") })
        #expect(result.stdout.contains("what a load of 4000 rows cannot skip"))
        #expect(result.stdout.contains("total "))
    }

    @Test("gx bench report fills a small exchange on both stores and prints a time for every report query")
    func reportRun() async throws {
        let server = try TestPostgres.server()
        let work = try temporaryDirectory("bench-report")
        let result = try await GXBinary.run(["bench", "report", "--pairs", "22", "--nights", "10", "--postgres", server.description,
                                             "--work", work.appendingPathComponent("run").path])
        try #require(result.status == 0, "\(result.stdout)\(result.stderr.suffix(3000))")
        print(result.stdout)
        #expect(result.stdout.contains("gx bench report: 22 pairs × 10 nights"))
        let lines = result.stdout.split(separator: "\n").map(String.init)
        for store in ["sqlite", "postgresql"] {
            let rows = lines.filter { $0.hasPrefix(store + " ") }
            #expect(rows.count == 6, "fill and five queries on \(store): \(rows)")
            for query in ["fill", "compliance, last 30 nights", "compliance, all 10 nights", "compliance, all nights, one agency", "statistics, year", "statistics, month"] {
                let row = try #require(rows.first { $0.contains(query) }, "\(store) \(query)")
                let seconds = row.split(separator: " ", omittingEmptySubsequences: true).reversed().dropFirst().first.flatMap { Double($0) }
                #expect(seconds.map { $0 >= 0 && $0.isFinite } == true, "\(row)")
            }
        }
        // 22 daily pairs and 2 resources' catalogue promises × 10 nights, every period reported.
        #expect(lines.contains { $0.hasPrefix("sqlite ") && $0.contains("compliance, all 10 nights") && $0.hasSuffix(" 240") })
    }

    @Test("without a PostgreSQL server gx bench says how to get one")
    func needsPostgres() async throws {
        let result = try await GXBinary.run(["bench", "--rows", "1000"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("scripts/bench.sh"))
    }
}

/// The hub's memory under fan-out is the one figure asserted: it is what the projection budget is for.
@Suite("gx bench --fanout")
struct FanOutBenchTests {
    @Test("a hub fanning 20 000-row pushes out to 40 consumers, two at a time, stays far under 256 MB and near one consumer's figure")
    func memoryBounded() async throws {
        let work = try temporaryDirectory("fanout")
        let json = work.appendingPathComponent("fanout.json").path
        let result = try await GXBinary.run(["bench", "--fanout", "1,40", "--rows", "20000", "--pushes", "2", "--rounds", "1",
                                             "--work", work.appendingPathComponent("run").path, "--json", json])
        try #require(result.status == 0, "\(result.stdout)\(result.stderr.suffix(3000))")
        print(result.stdout)
        let figures = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [[String: Double]])
        let one = try #require(figures.first { $0["consumers"] == 1 }?["peak_rss_mb"])
        let forty = try #require(figures.first { $0["consumers"] == 40 }?["peak_rss_mb"])
        #expect(forty < 256)
        // Unbounded, each consumer of each push held some 2.3 MB: 80 projections at once were ~180 MB more.
        #expect(forty - one < 60, "40 consumers × 2 pushes peaked \(forty) MB, 1 consumer \(one) MB")
    }
}

/// `gx bench city` at a small size: every agent of the city applies what its agreements give it.
@Suite("gx bench city")
struct CityBenchTests {
    @Test("a small city's two nights end with every consumer holding its providers' rows, nothing refused, figures as JSON")
    func smallCity() async throws {
        let work = try temporaryDirectory("city")
        let json = work.appendingPathComponent("city.json").path
        let run = work.appendingPathComponent("run")
        let result = try await GXBinary.run(["bench", "city", "--pairs", "8", "--agencies", "3", "--rows", "60", "--large-resources", "1",
                                             "--large-rows", "400", "--work", run.path, "--json", json,
                                             "--documents", SampleDocuments.root.path])
        try #require(result.status == 0, "\(result.stdout)\(result.stderr.suffix(3000))")
        #expect(result.stdout.contains("HUB PEAK RSS MB"), "\(result.stdout)")
        let nights = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [[String: Any]])
        #expect(nights.count == 2)
        for night in nights {
            #expect(night["agentsFailed"] as? Int == 0, "\(night)")
            #expect(night["refused"] as? Int == 0, "\(night)")
            #expect((night["records"] as? Int ?? 0) > 0, "\(night)")
            #expect((night["mostSockets"] as? Int ?? 0) > 0, "\(night)")
        }
        // Each agreement's table holds exactly the rows of its provider's last export (sample data is all valid).
        var tables = 0
        let agents = try FileManager.default.contentsOfDirectory(atPath: run.appendingPathComponent("agents").path)
        var exported: [String: Int] = [:]
        for agent in agents {
            let data = run.appendingPathComponent("agents/\(agent)/data")
            for file in try FileManager.default.contentsOfDirectory(atPath: data.path) where file.hasSuffix(".csv") {
                let text = try String(contentsOf: data.appendingPathComponent(file), encoding: .utf8)
                exported[String(file.dropLast(4))] = text.split(separator: "\n").count - 1
            }
        }
        for agent in agents {
            let database = run.appendingPathComponent("agents/\(agent)/data/received.sqlite").path
            guard FileManager.default.fileExists(atPath: database) else { continue }
            let queue = try DatabaseQueue(path: database)
            let names = try await queue.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'CITY_%'") }
            for name in names {
                // CITY_<prefix>_C<nn>_<consumer>: the resource is <prefix>-C<nn>.
                let parts = name.split(separator: "_")
                let resource = "\(parts[1])-\(parts[2])"
                let count = try await queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM \"\(name)\"") ?? 0 }
                #expect(count == exported[resource], "\(name): \(count) rows, the export of \(resource) has \(exported[resource] ?? -1)")
                tables += 1
            }
        }
        #expect(tables == 8, "every agreement has its table")
    }
}

/// `gx bench audit` at a small size on both stores: the output's shape, never its times.
@Suite("gx bench audit")
struct AuditBenchTests {
    @Test("a 2 000-entry run fills the log, signs in to the console and reports every query with its entries",
          arguments: ["sqlite", "postgres"])
    func smallRun(_ store: String) async throws {
        let work = try temporaryDirectory("bench-audit")
        let json = work.appendingPathComponent("audit.json").path
        let postgres = store == "postgres" ? ["--postgres", try TestPostgres.server().description] : []
        let result = try await GXBinary.run(["bench", "audit", "--entries", "2000", "--tries", "2", "--store", store, "--json", json,
                                             "--documents", SampleDocuments.root.path, "--work", work.appendingPathComponent("run").path] + postgres)
        try #require(result.status == 0, "\(result.stdout)\(result.stderr.suffix(3000))")
        print(result.stdout)
        #expect(result.stdout.contains("gx bench audit: 2000 entries"))
        #expect(result.stdout.contains("MEDIAN MS"))
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        #expect(report["store"] as? String == store)
        #expect((report["log_entries"] as? Int).map { $0 >= 2000 } == true, "\(report)")
        #expect((report["fill_seconds"] as? Double).map { $0 > 0 && $0.isFinite } == true)
        let queries = try #require(report["queries"] as? [[String: Any]])
        let names = queries.compactMap { $0["name"] as? String }
        #expect(names.contains("console, first page") && names.contains("API, by resource") && names.count == 15, "\(names)")
        for query in queries {
            let median = try #require(query["median_ms"] as? Double), low = try #require(query["min_ms"] as? Double)
            let high = try #require(query["max_ms"] as? Double)
            #expect(low <= median && median <= high && low > 0, "\(query)")
        }
        // The unfiltered and single-filter pages are full: the console shows 50 a page, the API 100.
        func returned(_ name: String) -> Int? { queries.first { $0["name"] as? String == name }?["returned"] as? Int }
        #expect(returned("console, first page") == 50)
        #expect(returned("console, by resource") == 50 && returned("console, by agency") == 50)
        #expect(returned("API, by resource") == 100 && returned("API, by agency") == 100 && returned("API, by agreement") == 100)
        #expect(returned("API, rare action").map { $0 > 0 } == true)
        #expect(returned("API, agency and a resource it never touches") == 0)
    }
}

/// `gx bench verify` at a small size: both paths run and agree; the figures are printed, never asserted.
@Suite("gx bench verify")
struct VerifyBenchTests {
    @Test("a 5 000-record verification runs the script and Gongxiang, both finding every planted mismatch, and reports each process")
    func smallRun() async throws {
        let work = try temporaryDirectory("verify-bench")
        let json = work.appendingPathComponent("verify.json").path
        let result = try await GXBinary.run(["bench", "verify", "--rows", "5000", "--seed", "7", "--work", work.appendingPathComponent("run").path,
                                             "--json", json])
        try #require(result.status == 0, "\(result.stdout)\(result.stderr.suffix(3000))")
        print(result.stdout)
        #expect(result.stdout.contains("ratio Gongxiang / script"))
        let figures = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [[String: Any]])
        #expect(figures.count == 2)
        #expect(Set(figures.compactMap { $0["mismatches"] as? Int }) == [50], "every 100th of 5 000 names is planted different")
        let gongxiang = try #require(figures.first { ($0["path"] as? String)?.hasPrefix("gongxiang") == true })
        let peaks = try #require(gongxiang["peak_rss_mb"] as? [String: Double])
        // Both agents run with --follow from the start, as the nightly units run them; each process is measured.
        #expect(Set(peaks.keys) == ["consumer", "provider", "hub"])
        #expect(peaks.values.allSatisfy { $0 > 0 && $0.isFinite })
    }
}
