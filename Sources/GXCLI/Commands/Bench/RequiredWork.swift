import Foundation
import GXAgent
import GXCrypto
import GXDomain

/// What a load cannot skip, timed on one thread (the snapshot's sorting thread counted too) with the
/// exchange's own code and scaled to the night's rows: the provider's preparing (CSV read, mapped, checked,
/// encoded), and at each party the 国密 and compression the design requires — records and wire SM3, deflate
/// and inflate, SM4-CTR + HMAC-SM3 at rest — with the hub's check and projection of every record, and the
/// provider's snapshot that the next night's comparison needs. HTTP, the stores, the consumer's COPY and the
/// Swift runtime between the steps are left out: the sum is a floor under a load's CPU, not an estimate of it.
struct RequiredWork: Codable, Sendable {
    /// One step of one party, scaled to `rows`.
    struct Step: Codable, Sendable {
        var party: String
        var step: String
        var cpuSeconds: Double
        /// Bytes the step took in, scaled to `rows`.
        var inputBytes: Int64

        enum CodingKeys: String, CodingKey { case party, step, cpuSeconds = "cpu_seconds", inputBytes = "input_bytes" }
    }

    var rows: Int
    /// Rows actually timed; the steps are scaled from them to `rows`.
    var sampleRows: Int
    var steps: [Step]

    var cpuSeconds: Double { steps.map(\.cpuSeconds).reduce(0, +) }

    enum CodingKeys: String, CodingKey { case rows, sampleRows = "sample_rows", steps }

    /// The items BJ-GX-2026-004 lets the consumer receive: what the hub projects each record to.
    static let deliveredItems = ["公民身份号码", "姓名", "性别代码", "出生日期", "户籍地行政区划", "人员状态代码"]

    /// Times every step over `min(rows, sampleLimit)` rows of RK-001, `repeats` times, and scales each step's
    /// least time to `rows`: on a shared machine a neighbour only ever adds time.
    static func measure(rows: Int, directory: URL, documents: URL, sampleLimit: Int = 200_000, repeats: Int = 3) throws -> RequiredWork {
        let sample = try PreparingSample(rows: min(rows, sampleLimit), directory: directory, documents: documents)
        defer { sample.remove() }
        var least = try timeSteps(sample, directory: directory)
        for _ in 1..<max(1, repeats) {
            for (index, step) in try timeSteps(sample, directory: directory).enumerated() where step.cpuSeconds < least[index].cpuSeconds {
                least[index].cpuSeconds = step.cpuSeconds
            }
        }
        let scale = Double(rows) / Double(max(1, sample.register.rows))
        return RequiredWork(rows: rows, sampleRows: sample.register.rows, steps: least.map {
            Step(party: $0.party, step: $0.step, cpuSeconds: $0.cpuSeconds * scale, inputBytes: Int64(Double($0.inputBytes) * scale))
        })
    }

    /// One timing of every step over the sample, unscaled.
    private static func timeSteps(_ sample: PreparingSample, directory: URL) throws -> [StepTimer.Timed] {
        var timer = StepTimer()
        let key = try DataKey.generate()

        // Provider: its export prepared into canonical lines (a pass hands them on a batch at a time; here they
        // gather in one buffer).
        var lines: [UInt8] = []
        var kept = 0
        try timer.time("provider", "preparing rows (CSV read, mapped, checked, encoded; one thread)") {
            try sample.source.scanBytes { row in
                if sample.encode(row, into: &lines).kept { kept += 1 }
            }
            return Int64((try? FileManager.default.attributesOfItem(atPath: sample.path)[.size] as? Int64) ?? 0)
        }
        let batch = try timer.encode("provider", lines, upserts: Int64(kept))
        try timer.seal("provider", batch.wire, key: key)
        try timer.snapshot(lines, in: directory)

        // Hub: the batch inflated and digested, each record checked and projected, the batch and the delivery sealed.
        let indices = deliveredItems.map { sample.items.firstIndex(of: $0) }
        var projected: [UInt8] = []
        projected.reserveCapacity(lines.count / 2)
        let reader = CanonicalLineReader(valueCount: sample.items.count)
        let inflation = try PayloadInflation(maximumRecordBytes: lines.count)
        var inflated: [UInt8] = []
        var inflate = 0.0, check = 0.0
        try batch.wire.withUnsafeBytes { wire in
            for start in stride(from: 0, to: wire.count, by: 64 * 1024) {
                let piece = UnsafeRawBufferPointer(rebasing: wire[start..<min(wire.count, start + 64 * 1024)])
                inflate += try StepTimer.cpu { try inflation.inflate(piece, into: &inflated) }
                check += try StepTimer.cpu {
                    try reader.consumeLines(inflated) { line, position in
                        if let violation = sample.validator.violation(in: line) {
                            throw CLIError("required work: record \(position) fails the hub's check: \(violation)")
                        }
                        line.write(projecting: indices, into: &projected)
                    }
                }
            }
        }
        inflate += try StepTimer.cpu { _ = try inflation.finish() }
        try reader.finish()
        guard reader.counts.upserts == Int64(kept) else {
            throw CLIError("required work: the hub read \(reader.counts.upserts) records of the \(kept) the provider encoded")
        }
        timer.add("hub", "inflating the batch, records and wire SM3", inflate, Int64(batch.wire.count))
        timer.add("hub", "checking each record and projecting it", check, Int64(lines.count))
        try timer.seal("hub", batch.wire, key: key, what: "the batch")
        let delivery = try timer.encode("hub", projected, upserts: Int64(kept), what: "the delivery")
        try timer.seal("hub", delivery.wire, key: key, what: "the delivery")

        // Consumer: the delivery inflated, digested and every line checked.
        let consumerReader = CanonicalLineReader(valueCount: deliveredItems.count)
        let consumerInflation = try PayloadInflation(maximumRecordBytes: projected.count)
        try timer.time("consumer", "inflating the delivery, records and wire SM3, checking each line") {
            var out: [UInt8] = []
            try delivery.wire.withUnsafeBytes { wire in
                for start in stride(from: 0, to: wire.count, by: 64 * 1024) {
                    try consumerInflation.inflate(UnsafeRawBufferPointer(rebasing: wire[start..<min(wire.count, start + 64 * 1024)]), into: &out)
                    try consumerReader.consumeLines(out) { _, _ in }
                }
            }
            let digests = try consumerInflation.finish()
            try consumerReader.finish()
            guard digests.records == delivery.records else { throw CLIError("required work: the delivery's records SM3 differs after inflating") }
            return Int64(delivery.wire.count)
        }
        return timer.steps
    }

    /// The block `gx bench` prints; `scriptCPU`, the script's CPU seconds on the same load, when it ran.
    func lines(scriptCPU: Double?) -> [String] {
        var lines = ["what a load of \(rows) rows cannot skip (the exchange's own code on one thread, the least of three timings of \(sampleRows) rows, scaled;"
                     + " HTTP, the stores, the consumer's COPY and the runtime between steps left out — a floor):"]
        for step in steps {
            lines.append("  " + step.party.padding(toLength: 9, withPad: " ", startingAt: 0)
                         + step.step.padding(toLength: 76, withPad: " ", startingAt: 0)
                         + String(format: "%6.2f CPU s  (%.1f MB in)", step.cpuSeconds, Double(step.inputBytes) / 1_048_576))
        }
        var total = String(format: "  total %.2f CPU s", cpuSeconds)
        if let scriptCPU, scriptCPU > 0 {
            total += String(format: "; the script's processes took %.2f CPU s, so this floor alone is a CPU ratio of %.2f (aim ≤ 2.5, which leaves %.2f CPU s for all else)",
                            scriptCPU, cpuSeconds / scriptCPU, 2.5 * scriptCPU - cpuSeconds)
        }
        lines.append(total)
        return lines
    }
}

/// Thread CPU time per step, and the steps that the provider and the hub share (encoding a payload, sealing it).
private struct StepTimer {
    typealias Timed = (party: String, step: String, cpuSeconds: Double, inputBytes: Int64)
    var steps: [Timed] = []

    /// CPU seconds this thread (or with `wholeProcess`, every thread of the process) spent in `body`.
    static func cpu(wholeProcess: Bool = false, _ body: () throws -> Void) rethrows -> Double {
        func now() -> Double {
            var time = timespec()
            clock_gettime(wholeProcess ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_THREAD_CPUTIME_ID, &time)
            return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
        }
        let start = now()
        try body()
        return now() - start
    }

    mutating func add(_ party: String, _ step: String, _ seconds: Double, _ bytes: Int64) {
        steps.append((party, step, seconds, bytes))
    }

    /// Times `body`, which returns the bytes it took in.
    mutating func time(_ party: String, _ step: String, wholeProcess: Bool = false, _ body: () throws -> Int64) throws {
        var bytes: Int64 = 0
        let seconds = try Self.cpu(wholeProcess: wholeProcess) { bytes = try body() }
        add(party, step, seconds, bytes)
    }

    /// Canonical lines to a payload as `BatchPayloadEncoder` makes one: records SM3, deflate, wire SM3.
    mutating func encode(_ party: String, _ lines: [UInt8], upserts: Int64, what: String = "the batch") throws -> (wire: [UInt8], records: PayloadDigest) {
        var wire: [UInt8] = []
        var records = PayloadDigest(sm3: "", bytes: 0)
        try time(party, "encoding \(what): records SM3, deflate, wire SM3") {
            let encoder = try BatchPayloadEncoder()
            try lines.withUnsafeBytes { all in
                for start in stride(from: 0, to: all.count, by: 256 * 1024) {
                    let end = min(all.count, start + 256 * 1024)
                    try encoder.append(encodedLines: all[start..<end], upserts: end == all.count ? upserts : 0, deletes: 0)
                    wire += encoder.takeWire()
                }
            }
            try encoder.finish()
            wire += encoder.takeWire()
            records = encoder.digests().records
            return Int64(lines.count)
        }
        return (wire, records)
    }

    /// A first pass's snapshot, which the next night compares with (the 1 % night's whole mechanism): each
    /// line's SHA-256 kept under its key, sorted in runs and written as the snapshot file.
    mutating func snapshot(_ lines: [UInt8], in directory: URL) throws {
        // The keys (the first value, 公民身份号码, plain ASCII) and line ends, found before the clock starts.
        var keyed: [(key: String, end: Int)] = []
        var start = 0
        while let newline = lines[start...].firstIndex(of: UInt8(ascii: "\n")) {
            let keyStart = start + 6
            let keyEnd = lines[keyStart..<newline].firstIndex(of: UInt8(ascii: "\"")) ?? newline
            keyed.append((String(decoding: lines[keyStart..<keyEnd], as: UTF8.self), newline + 1))
            start = newline + 1
        }
        let folder = directory.appendingPathComponent("required-work-snapshots")
        try? FileManager.default.removeItem(at: folder)
        defer { try? FileManager.default.removeItem(at: folder) }
        // Runs are sorted and written on a thread of their own: the process's CPU, not this thread's.
        try time("provider", "the snapshot for the next night: SHA-256 per line, sorted runs, the file", wholeProcess: true) {
            let diff = try SnapshotDigestStore(directory: folder.path).beginDiff(resource: "RK-001")
            // Each line digested where it lies, into one reused digest, as the provider's workers do.
            let digester = LineDigester(.sha256)
            var digest = [UInt8](repeating: 0, count: LineDigester.byteCount)
            var from = 0
            try lines.withUnsafeBytes { all in
                for (key, end) in keyed {
                    digest.withUnsafeMutableBytes { digester.digest(UnsafeRawBufferPointer(rebasing: all[from..<end]), into: $0) }
                    try diff.observe(key: [key], digest: digest)
                    from = end
                }
            }
            try diff.compare(onChange: { _, _ in }, onDelete: { _ in })
            try diff.commit()
            return Int64(lines.count)
        }
    }

    /// Sealing a payload at rest as the stores keep it: SM4-CTR and HMAC-SM3.
    mutating func seal(_ party: String, _ wire: [UInt8], key: DataKey, what: String = "the batch") throws {
        try time(party, "sealing \(what) at rest: SM4-CTR, HMAC-SM3") {
            let sealer = try PayloadSealer(key: key)
            var sealed: [UInt8] = []
            sealed.reserveCapacity(256 * 1024 + 64)
            wire.withUnsafeBytes { all in
                for start in stride(from: 0, to: all.count, by: 256 * 1024) {
                    sealer.seal(UnsafeRawBufferPointer(rebasing: all[start..<min(all.count, start + 256 * 1024)]), appendingTo: &sealed)
                    sealed.removeAll(keepingCapacity: true)
                }
            }
            _ = sealer.finish()
            return Int64(wire.count)
        }
    }
}
