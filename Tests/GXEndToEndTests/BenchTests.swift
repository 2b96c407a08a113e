import Foundation
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
        #expect(Set(micro.compactMap { $0["name"] as? String }).count == 6)
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
        #expect(Set(peaks.keys) == ["consumer request", "provider", "consumer apply", "hub"])
        #expect(peaks.values.allSatisfy { $0 > 0 && $0.isFinite })
    }
}
