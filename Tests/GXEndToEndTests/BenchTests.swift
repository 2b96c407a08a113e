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
