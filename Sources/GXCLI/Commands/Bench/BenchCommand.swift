import ArgumentParser
import Foundation
import GXDomain
import GXPostgres

/// `gx bench`: Gongxiang against the pipeline an agency would script instead, on the same generated data.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Gongxiang against a scripted CSV + gzip + sha256sum + psql pipeline, and the parts of a night alone.",
        discussion: """
            Generates N rows of 人口 (RK-001, as `gx sample` writes them: valid GB 11643 ID numbers, names, \
            addresses, dates, codes) and the next night's export with about 1 % of rows changed, inserted or \
            deleted; deterministic from --seed. Then, on the same data:

              baseline   export → gzip -1 → sha256sum → copy over loopback (HTTP PUT) → verify → psql \\copy \
            into a keyed table; the next night: sort + comm diff, ship the changed rows and vanished keys the \
            same way, upsert through a staging table (the scripts are left in WORK/baseline/);
              gongxiang  `gx hub serve` (on SQLite, then on PostgreSQL), the provider's `gx agent run` reading \
            the export, the consumer's `gx agent run` applying to a PostgreSQL table: initial load, then the 1 % night.

            It prints wall time, records/s, MB/s of export read, payload bytes on the wire and the peak RSS of \
            every process, the ratio Gongxiang / baseline for the load and for the delta, and microbenchmarks \
            (SM3 against `openssl dgst -sm3`, encoding + deflate, change detection, audit append and verify). \
            --json FILE writes the same with top-level `load_ratio` and `delta_ratio`.

            It needs a PostgreSQL server where it may create databases (--postgres URL, or `postgres` for the \
            PG* variables): scripts/bench.sh starts a throwaway one and passes it. Run it from the repository \
            root (it reads Agreements/ and Catalogue/), or name that folder with --documents.

            With --fanout 1,40 it measures instead the hub's memory while pushes of --rows records fan out \
            to 1, 40, … consumers (no PostgreSQL needed): for each count a fresh `gx hub serve` on SQLite, \
            one provider, that many consumers each with a filed agreement on every pushed resource (copies \
            of RK-001), then --rounds rounds in which --pushes resources are pushed at the same moment. It \
            prints the hub's peak resident memory (VmHWM), its resident memory two seconds after the last \
            push, and the pushes' wall time. GX_HUB_MALLOC_TRIM=0 shows the idle memory without the hub's \
            malloc_trim.
            """,
        subcommands: [ReportBench.self])

    @Option(help: "Rows of the register (night 1).")
    var rows = 1_000_000

    @Option(help: "Seed of the generated data.")
    var seed: UInt64 = 20261130

    @Option(help: "PostgreSQL server to create the benchmark's databases on (URL, or `postgres` for the PG* variables).")
    var postgres: String?

    @Option(help: "Write the results as JSON to this file.")
    var json: String?

    @Option(help: "Work directory (default: a new one under the system's temporary directory, removed afterwards).")
    var work: String?

    @Option(help: "The repository folder holding Agreements/ and Catalogue/.")
    var documents = "."

    @Option(help: "Keys in the change-detection microbenchmark (default: --rows).")
    var digests: Int?

    @Option(help: "Records per batch for the provider's agent.")
    var batchRecords = 100_000

    @Flag(help: "Skip the microbenchmarks.")
    var skipMicro = false

    @Option(help: "Consumer counts to measure the hub's memory under fan-out with, comma-separated (e.g. 1,40).")
    var fanout: String?

    @Option(help: "With --fanout: resources pushed at the same moment.")
    var pushes = 1

    @Option(help: "With --fanout: rounds of pushes.")
    var rounds = 3

    @Option(help: "With --fanout: the gx whose hub is measured (default: this one), to compare builds.")
    var hubGx: String?

    /// Checked when the command runs rather than in `validate()`, which ArgumentParser also calls on the way to
    /// a subcommand (`gx bench report`), whose options these are not.
    func check() throws {
        if let fanout {
            guard rows >= 1, pushes >= 1, rounds >= 1 else { throw ValidationError("--rows, --pushes and --rounds must be at least 1") }
            let counts = FanOutBench.counts(fanout)
            guard !counts.isEmpty, counts.allSatisfy({ $0 >= 1 }) else {
                throw ValidationError("--fanout is a comma-separated list of consumer counts, e.g. 1,40")
            }
            return
        }
        guard rows >= 100 else { throw ValidationError("--rows must be at least 100") }
        guard postgres != nil else {
            throw ValidationError("gx bench needs a PostgreSQL server: pass --postgres URL, or run scripts/bench.sh, which starts a throwaway PostgreSQL 15")
        }
    }

    func run() async throws {
        try check()
        if let fanout {
            return try await FanOutBench(rows: rows, consumers: FanOutBench.counts(fanout), pushes: pushes, rounds: rounds,
                                         documents: documents, work: work, json: json, hubGx: hubGx).run()
        }
        let server = try PostgresSettings.parse(postgres!)
        let documents = URL(fileURLWithPath: documents)
        guard FileManager.default.fileExists(atPath: documents.appendingPathComponent("Catalogue/RK-001-population.toml").path) else {
            throw ValidationError("\(documents.path) has no Catalogue/RK-001-population.toml: run from the repository root or pass --documents")
        }
        let directory = URL(fileURLWithPath: work ?? FileManager.default.temporaryDirectory.appendingPathComponent("gx-bench-\(UUID().uuidString.prefix(8))").path)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { if work == nil { try? FileManager.default.removeItem(at: directory) } }
        let gx = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let environment = server.password.map { ["PGPASSWORD": $0] } ?? [:]
        let bench = BenchRun(directory: directory, gx: gx, server: server, environment: environment, documents: documents,
                             rows: rows, seed: seed, batchRecords: batchRecords)
        var report = try await bench.run()
        if !skipMicro {
            Console.note("microbenchmarks")
            let micro = directory.appendingPathComponent("micro")
            try FileManager.default.createDirectory(at: micro, withIntermediateDirectories: true)
            report.micro = try await MicroBenchmarks(directory: micro, digests: digests ?? rows).run()
        }
        print(report.table)
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(report).write(to: URL(fileURLWithPath: json))
        }
    }
}
