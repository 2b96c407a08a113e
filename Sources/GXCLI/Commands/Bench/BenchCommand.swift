import ArgumentParser
import Foundation
import GXDomain
import GXPostgres

/// `gx bench` (`gx bench exchange`): Gongxiang against the pipeline an agency would script instead, on the
/// same generated data.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exchange",
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
            (SM3 against `openssl dgst -sm3`, encoding + deflate, preparing rows with a String per value and as bytes, \
            change detection, audit append and verify). \
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

            `gx bench verify --rows N [--seed S]` measures instead a verification (比对核实) of N records \
            against an N-row register (no PostgreSQL needed): the consumer's agent sending its request, the \
            provider's answering it by a streaming merge of sorted runs, the consumer's applying the answers, a \
            hub on SQLite between them, each process measured — against `cut`, `sort` and `join` of both exports \
            in the same run.

            `gx bench prepare --rows N` runs only the preparing microbenchmark on N rows (no PostgreSQL needed): \
            a provider's reading, mapping, checking and encoding of a CSV export on one thread, with a String \
            per value and as bytes, and their ratio.

            `gx bench floor --rows N` prints only what a load of N rows cannot skip (no PostgreSQL needed; the \
            exchange prints it too, beside the script's CPU): the provider's preparing, and at each party the \
            国密 and compression the design requires — records and wire SM3, deflate and inflate, SM4-CTR and \
            HMAC-SM3 at rest — with the hub's check and projection of every record, each timed on one thread \
            with the exchange's own code over up to 200 000 rows and scaled to N. Their sum is a floor under a \
            load's CPU: no build of this design spends less.
            """)

    @Argument(help: "verify: measure a verification (比对核实) instead of the exchange; prepare: only the preparing microbenchmark; floor: only what a load cannot skip.")
    var mode: String?

    @Option(help: "Rows of the register (night 1).")
    var rows = 1_000_000

    @Option(help: "Seed of the generated data.")
    var seed: UInt64 = 20261130

    /// --postgres, --json, --work, --documents: the same option group as `gx bench audit`.
    @OptionGroup var shared: BenchSharedOptions
    var postgres: String? { shared.postgres }
    var json: String? { shared.json }
    var work: String? { shared.work }
    var documents: String { shared.documents }

    @Option(help: "Keys in the change-detection microbenchmark (default: --rows).")
    var digests: Int?

    @Option(help: "Records per batch for the provider's agent.")
    var batchRecords = 100_000

    @Option(help: "Where the PostgreSQL hub keeps payloads: postgres (its database, the default of a PostgreSQL hub) or files.")
    var hubPayloads = "postgres"

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

    func validate() throws {
        if let mode {
            guard ["verify", "prepare", "floor"].contains(mode) else {
                throw ValidationError("unknown benchmark '\(mode)': the ones named are verify, prepare and floor")
            }
            guard rows >= 10 else { throw ValidationError("--rows must be at least 10") }
            return
        }
        if let fanout {
            guard rows >= 1, pushes >= 1, rounds >= 1 else { throw ValidationError("--rows, --pushes and --rounds must be at least 1") }
            let counts = FanOutBench.counts(fanout)
            guard !counts.isEmpty, counts.allSatisfy({ $0 >= 1 }) else {
                throw ValidationError("--fanout is a comma-separated list of consumer counts, e.g. 1,40")
            }
            return
        }
        guard rows >= 100 else { throw ValidationError("--rows must be at least 100") }
        guard ["postgres", "files"].contains(hubPayloads) else { throw ValidationError("--hub-payloads is postgres or files, not '\(hubPayloads)'") }
    }

    func run() async throws {
        if mode == "verify" {
            return try await VerifyBench(rows: rows, seed: seed, work: work, documents: documents, json: json).run()
        }
        if mode == "prepare" {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gx-bench-prepare-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let micro = MicroBenchmarks(directory: directory, digests: 0, documents: URL(fileURLWithPath: documents))
            for result in try micro.preparing(rows: rows) {
                print("\(result.name): \(String(format: "%.2f", result.value)) \(result.unit) (\(result.note))")
            }
            return
        }
        if mode == "floor" {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gx-bench-floor-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let work = try RequiredWork.measure(rows: rows, directory: directory, documents: URL(fileURLWithPath: documents))
            print(work.lines(scriptCPU: nil).joined(separator: "\n"))
            return
        }
        if let fanout {
            return try await FanOutBench(rows: rows, consumers: FanOutBench.counts(fanout), pushes: pushes, rounds: rounds,
                                         documents: documents, work: work, json: json, hubGx: hubGx).run()
        }
        guard let postgres else {
            throw ValidationError("gx bench needs a PostgreSQL server: pass --postgres URL, or run scripts/bench.sh, which starts a throwaway PostgreSQL 15")
        }
        let server = try PostgresSettings.parse(postgres)
        let documents = URL(fileURLWithPath: documents)
        guard FileManager.default.fileExists(atPath: documents.appendingPathComponent("Catalogue/RK-001-population.toml").path) else {
            throw ValidationError("\(documents.path) has no Catalogue/RK-001-population.toml: run from the repository root or pass --documents")
        }
        let directory = URL(fileURLWithPath: work ?? FileManager.default.temporaryDirectory.appendingPathComponent("gx-bench-\(UUID().uuidString.prefix(8))").path)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { if work == nil { try? FileManager.default.removeItem(at: directory) } }
        let gx = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let environment = server.password.map { ["PGPASSWORD": $0] } ?? [:]
        var bench = BenchRun(directory: directory, gx: gx, server: server, environment: environment, documents: documents,
                             rows: rows, seed: seed, batchRecords: batchRecords)
        bench.hubPayloads = hubPayloads
        var report = try await bench.run()
        Console.note("timing what the load cannot skip")
        report.requiredWork = try RequiredWork.measure(rows: rows, directory: directory, documents: documents)
        if !skipMicro {
            Console.note("microbenchmarks")
            let micro = directory.appendingPathComponent("micro")
            try FileManager.default.createDirectory(at: micro, withIntermediateDirectories: true)
            report.micro = try await MicroBenchmarks(directory: micro, digests: digests ?? rows, documents: documents).run()
        }
        print(report.table)
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(report).write(to: URL(fileURLWithPath: json))
        }
    }
}

/// Options of `gx bench` that its subcommands take too.
struct BenchSharedOptions: ParsableArguments {
    @Option(help: "PostgreSQL server to create the benchmark's databases on (URL, or `postgres` for the PG* variables).")
    var postgres: String?

    @Option(help: "Write the results as JSON to this file.")
    var json: String?

    @Option(help: "Work directory (default: a new one under the system's temporary directory, removed afterwards).")
    var work: String?

    @Option(help: "The repository folder holding Agreements/ and Catalogue/.")
    var documents = "."
}

/// `gx bench audit`: the auditor's first page on a log of N entries (see `AuditBench`).
struct AuditBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Time the console's audit page and the API's filtered first page on a hub whose log holds N entries.",
        discussion: """
            Sets up a hub as the quickstart does (sample agencies, catalogue, agreements, an auditor), fills its \
            store with --entries audit entries spread over them as a year of nights would (the store's own \
            commit, a few thousand entries per transaction), starts `gx hub serve` on it, signs in to the \
            console as the auditor and times, over HTTP, the audit page's first page unfiltered and filtered \
            and the API's filtered first page: the median of --tries requests each. Run it from the \
            repository root (it reads Agreements/ and Catalogue/), or name that folder with --documents. \
            The issue's goals: the console's first page under 300 ms at 1 M entries, a filtered first page \
            under 1 s at 10 M.
            """)

    @Option(help: "Audit entries to fill the log with.")
    var entries = 1_000_000

    @Option(help: "The hub's store: sqlite or postgres.")
    var store = "sqlite"

    @Option(help: "Requests timed per query (the median is reported).")
    var tries = 5

    /// --postgres (with --store postgres; default: the PG* variables), --json, --work, --documents.
    @OptionGroup var shared: BenchSharedOptions

    func validate() throws {
        guard ["sqlite", "postgres"].contains(store) else { throw ValidationError("--store is sqlite or postgres") }
        guard entries >= 100 else { throw ValidationError("--entries must be at least 100") }
        guard tries >= 1 else { throw ValidationError("--tries must be at least 1") }
    }

    func run() async throws {
        let documents = URL(fileURLWithPath: shared.documents)
        guard FileManager.default.fileExists(atPath: documents.appendingPathComponent("Agreements/agencies.toml").path) else {
            throw ValidationError("\(documents.path) has no Agreements/agencies.toml: run from the repository root or pass --documents")
        }
        let server = store == "postgres" ? try PostgresSettings.parse(shared.postgres ?? "postgres") : nil
        try await AuditBench(entries: entries, store: store, postgres: server, tries: tries, documents: documents, work: shared.work, json: shared.json).run()
    }
}
