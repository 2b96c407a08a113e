import ArgumentParser
import Foundation

/// `gx bench city`: a whole city's night through one hub, as the Beijing network would run it.
struct CityBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "city",
        abstract: "Run one night of a city's exchange — every agency's agent at once — through one hub, and measure the hub.",
        discussion: """
            Sets up a fresh `gx hub serve` on SQLite with --agencies agencies, each providing three resources \
            (copies of 法人 FR-001, 人口 RK-001 and 房产 FC-001) and consuming others, and --pairs filed \
            agreements between them, each signed by both agencies with its own SM2 key. Every resource has \
            --rows rows as `gx sample` writes them, except the first --large-resources, which have --large-rows.

            Night 1 is the initial load; night 2 has about 1 % of rows changed, inserted and deleted. Each \
            night starts every agency's `gx agent run --follow` at the same moment, as the nightly timers of \
            a city would, and ends when the last one has applied its providers' passes. For each night it \
            prints the wall time, the requests the hub answered and their rate, requests refused (4xx/5xx) \
            and agents that failed, the hub's peak resident memory and its most open sockets at once.

            Run it from the repository root (it reads Catalogue/ and Agreements/), or name that folder with \
            --documents. Example: gx bench city --pairs 550 --agencies 40
            """)

    @Option(help: "Filed agreements (sharing pairs) between the agencies.")
    var pairs = 550

    @Option(help: "Agencies, each with an agent; each provides three resources.")
    var agencies = 40

    @Option(help: "Rows of each ordinary resource.")
    var rows = 1_000

    @Option(help: "Resources with --large-rows rows instead.")
    var largeResources = 3

    @Option(help: "Rows of each large resource.")
    var largeRows = 100_000

    @Option(help: "Seed of the generated data.")
    var seed: UInt64 = 20261204

    @Option(help: "Seconds an agent may wait for its providers' passes before it gives up.")
    var followTimeout = 1800

    @Option(help: "Write the results as JSON to this file.")
    var json: String?

    @Option(help: "Work directory (default: a new one under the system's temporary directory, removed afterwards).")
    var work: String?

    @Option(help: "The repository folder holding Agreements/ and Catalogue/.")
    var documents = "."

    func validate() throws {
        guard agencies >= 2 else { throw ValidationError("--agencies must be at least 2") }
        guard pairs >= 1, pairs <= agencies * 3 * (agencies - 1) else {
            throw ValidationError("--pairs must be from 1 to \(agencies * 3 * (agencies - 1)) (each of the \(agencies * 3) resources shared with each other agency at most once)")
        }
        guard rows >= 10, largeRows >= 10, largeResources >= 0 else { throw ValidationError("--rows and --large-rows must be at least 10") }
    }

    func run() async throws {
        let directory = URL(fileURLWithPath: work ?? FileManager.default.temporaryDirectory.appendingPathComponent("gx-city-\(UUID().uuidString.prefix(8))").path)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { if work == nil { try? FileManager.default.removeItem(at: directory) } }
        let city = try CityNetwork(directory: directory, gx: URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path,
                               documents: URL(fileURLWithPath: documents), agencies: agencies, pairs: pairs, rows: rows,
                               largeResources: largeResources, largeRows: largeRows, seed: seed)
        let nights = try await city.run(followTimeout: followTimeout)
        var table = TextTable("NIGHT", "AGENTS", "PAIRS", "RECORDS", "WALL S", "REQUESTS", "REQUESTS/S", "REFUSED", "AGENTS FAILED",
                              "HUB PEAK RSS MB", "HUB MOST SOCKETS")
        for night in nights {
            table.add(night.name, String(agencies), String(pairs), String(night.records), String(format: "%.1f", night.seconds),
                      String(night.requests), String(format: "%.0f", night.requestsPerSecond), String(night.refused), String(night.agentsFailed),
                      String(format: "%.0f", night.hubPeakMB), String(night.mostSockets))
        }
        print(table.render())
        for night in nights where !night.refusals.isEmpty {
            print("\(night.name): refused \(night.refusals.map { "\($0.key) ×\($0.value)" }.sorted().joined(separator: ", "))")
        }
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(nights).write(to: URL(fileURLWithPath: json))
        }
        if nights.contains(where: { $0.agentsFailed > 0 }) { throw ExitCode(1) }
    }
}
