import Foundation

/// What one `gx bench` run measured, printed as a table and written as JSON for comparison across commits.
struct BenchReport: Encodable, Sendable {
    /// One path (the baseline, or Gongxiang with a given hub store) through one phase (load or delta).
    struct Path: Codable, Sendable {
        var path: String
        var phase: String
        var seconds: Double
        /// Records the phase carried: every row for the load, changed rows and vanished keys for the delta.
        var records: Int
        /// The export read, bytes.
        var inputBytes: Int64
        var wireBytes: Int64
        /// Peak resident memory per process, bytes.
        var peakRSS: [String: Int64]
        /// Rows in the consumer's table afterwards.
        var consumerRows: Int
        /// Wall and CPU (user + system) seconds of each process the phase ran, so a slow phase can be
        /// attributed; for the hub, which serves both phases, only its CPU during the phase.
        var processSeconds: [String: Double] = [:]
        var cpuSeconds: [String: Double] = [:]
        /// The PostgreSQL server's own CPU seconds during the phase, when it runs on this machine (``ServerCPU``):
        /// the script's `\copy` and the consumer's COPY, and on the PostgreSQL hub's path its store too.
        var serverCPUSeconds: Double?

        var recordsPerSecond: Double { Double(records) / seconds }
        var megabytesPerSecond: Double { Double(inputBytes) / 1_048_576 / seconds }

        enum CodingKeys: String, CodingKey {
            case path, phase, seconds, records, inputBytes = "input_bytes", wireBytes = "wire_bytes", peakRSS = "peak_rss_bytes", consumerRows = "consumer_rows"
            case processSeconds = "process_seconds", cpuSeconds = "cpu_seconds", serverCPUSeconds = "postgres_cpu_seconds"
        }
    }

    var rows: Int
    var seed: UInt64
    var machine: String
    var paths: [Path]
    /// Gongxiang / baseline wall time, the worse of the two hub stores.
    var loadRatio: Double
    var deltaRatio: Double
    /// The same per hub store.
    var ratios: [String: Double]
    /// CPU seconds (user + system) of Gongxiang's processes over the baseline pipeline's, per phase and hub
    /// store: the wall ratios hide that Gongxiang runs its stages on both cores at once while the script runs
    /// them one after another. PostgreSQL's own work is left out on both sides.
    var cpuRatios: [String: Double] = [:]
    var micro: [MicroBenchmarks.Result]
    /// The floor under the load's CPU: what it cannot skip, timed alone in the same run.
    var requiredWork: RequiredWork?
    /// `requiredWork`'s CPU over the script's on the load: no build of this design can have a CPU ratio below it.
    var floorCPURatio: Double? {
        guard let requiredWork, let script = scriptLoadCPU, script > 0 else { return nil }
        return requiredWork.cpuSeconds / script
    }

    /// For each path, the least wall time of its load at the floor: the floor's CPU and the PostgreSQL server's
    /// on that path's load, spread over every core with none idle, over the script's wall time. Nil per path
    /// where the server's CPU was not measured.
    var floorLoadRatios: [String: Double] {
        guard let requiredWork, let script = paths.first(where: { $0.path == Self.baseline && $0.phase == "load" }) else { return [:] }
        let cores = Double(max(1, ProcessInfo.processInfo.activeProcessorCount))
        var ratios: [String: Double] = [:]
        for path in paths where path.phase == "load" && path.path != Self.baseline {
            guard let server = path.serverCPUSeconds else { continue }
            ratios[path.path] = (requiredWork.cpuSeconds + server) / cores / script.seconds
        }
        return ratios
    }

    /// The baseline pipeline's CPU seconds on the load.
    var scriptLoadCPU: Double? {
        paths.first { $0.path == Self.baseline && $0.phase == "load" }.map { $0.cpuSeconds.values.reduce(0, +) }
    }

    enum CodingKeys: String, CodingKey {
        case rows, seed, machine, paths, loadRatio = "load_ratio", deltaRatio = "delta_ratio", ratios, cpuRatios = "cpu_ratios", micro
        case requiredWork = "required_work", floorCPURatio = "floor_cpu_ratio", floorLoadRatios = "floor_load_ratios"
    }

    /// Written by hand for `floor_cpu_ratio`, which is computed.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rows, forKey: .rows)
        try container.encode(seed, forKey: .seed)
        try container.encode(machine, forKey: .machine)
        try container.encode(paths, forKey: .paths)
        try container.encode(loadRatio, forKey: .loadRatio)
        try container.encode(deltaRatio, forKey: .deltaRatio)
        try container.encode(ratios, forKey: .ratios)
        try container.encode(cpuRatios, forKey: .cpuRatios)
        try container.encode(micro, forKey: .micro)
        try container.encodeIfPresent(requiredWork, forKey: .requiredWork)
        try container.encodeIfPresent(floorCPURatio, forKey: .floorCPURatio)
        try container.encode(floorLoadRatios, forKey: .floorLoadRatios)
    }

    static let baseline = "baseline (csv+gzip+sha256+psql)"

    static func ratios(_ paths: [Path]) -> (load: Double, delta: Double, each: [String: Double]) {
        var each: [String: Double] = [:]
        for phase in ["load", "delta"] {
            guard let base = paths.first(where: { $0.path == baseline && $0.phase == phase }) else { continue }
            for path in paths where path.phase == phase && path.path != baseline {
                each["\(phase): \(path.path)"] = path.seconds / base.seconds
            }
        }
        let load = each.filter { $0.key.hasPrefix("load:") }.values.max() ?? .nan
        let delta = each.filter { $0.key.hasPrefix("delta:") }.values.max() ?? .nan
        return (load, delta, each)
    }

    /// Gongxiang's CPU over the baseline's for each phase and path; nil where a side recorded no CPU.
    static func cpuRatios(_ paths: [Path]) -> [String: Double] {
        var each: [String: Double] = [:]
        for phase in ["load", "delta"] {
            guard let base = paths.first(where: { $0.path == baseline && $0.phase == phase }),
                  case let baseCPU = base.cpuSeconds.values.reduce(0, +), baseCPU > 0 else { continue }
            for path in paths where path.phase == phase && path.path != baseline && !path.cpuSeconds.isEmpty {
                each["\(phase): \(path.path)"] = path.cpuSeconds.values.reduce(0, +) / baseCPU
            }
        }
        return each
    }

    var table: String {
        var lines: [String] = []
        lines.append("gx bench: \(rows) rows of RK-001 (人口), seed \(seed); \(machine)")
        lines.append("")
        let header = ["path", "phase", "wall s", "records", "records/s", "MB/s", "wire MB", "peak RSS MB", "consumer rows"]
        var body: [[String]] = []
        for path in paths {
            let rss = path.peakRSS.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.0f", Double($0.value) / 1_048_576))" }.joined(separator: ", ")
            body.append([path.path, path.phase, String(format: "%.2f", path.seconds), String(path.records), String(format: "%.0f", path.recordsPerSecond),
                         String(format: "%.1f", path.megabytesPerSecond), String(format: "%.1f", Double(path.wireBytes) / 1_048_576), rss,
                         String(path.consumerRows)])
        }
        let widths = header.indices.map { column in ([header] + body).map { $0[column].count }.max()! }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        lines.append(line(header))
        lines.append(line(widths.map { String(repeating: "-", count: $0) }))
        lines += body.map(line)
        lines.append("")
        lines.append("where the time went (wall s / CPU s per process; the hub and the PostgreSQL server serve throughout, so only their CPU):")
        for path in paths where !path.processSeconds.isEmpty {
            var each = path.processSeconds.sorted { $0.key > $1.key }.map { name, wall in
                String(format: "%@ %.2f / %.2f", name, wall, path.cpuSeconds[name] ?? .nan)
            }
            if let hub = path.cpuSeconds["hub"] { each.append(String(format: "hub - / %.2f", hub)) }
            if let server = path.serverCPUSeconds { each.append(String(format: "PostgreSQL - / %.2f", server)) }
            lines.append("  \(path.path), \(path.phase): " + each.joined(separator: ", "))
        }
        lines.append("")
        for (name, ratio) in ratios.sorted(by: { $0.key < $1.key }) {
            lines.append(String(format: "ratio Gongxiang / baseline, %@: %.2f", name, ratio))
        }
        lines.append(String(format: "load_ratio %.2f   delta_ratio %.2f   (the worse hub store; aims: load ≤ 0.60, delta ≤ 0.40)", loadRatio, deltaRatio))
        for (name, ratio) in cpuRatios.sorted(by: { $0.key < $1.key }) {
            lines.append(String(format: "CPU ratio Gongxiang (provider + hub + consumer) / baseline (the script's processes), %@: %.2f", name, ratio))
        }
        if let requiredWork {
            lines.append("")
            lines += requiredWork.lines(scriptCPU: scriptLoadCPU)
            for (path, ratio) in floorLoadRatios.sorted(by: { $0.key < $1.key }) {
                lines.append(String(format: "  at this floor, with %@'s PostgreSQL CPU on the load and every core busy, a load ratio of no less than %.2f (aim ≤ 0.6)",
                                    path, ratio))
            }
        }
        if !micro.isEmpty {
            lines.append("")
            lines.append("microbenchmarks:")
            for result in micro {
                lines.append("  " + result.name.padding(toLength: 42, withPad: " ", startingAt: 0)
                             + String(format: "%14.1f ", result.value) + result.unit + "  (" + result.note + ")")
            }
        }
        return lines.joined(separator: "\n")
    }
}
