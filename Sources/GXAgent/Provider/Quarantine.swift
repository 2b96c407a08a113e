import Foundation
import GXDomain

/// Records that break the catalogue schema stay home: one CSV line each (time, row, item, rule, value) in
/// `state_dir/quarantine/<resource>.csv`, rewritten each pass, and counts by item and rule for the batch
/// manifest, which is how the hub learns the provider's data quality.
struct Quarantine {
    let path: String
    let resource: String
    private(set) var count: Int64 = 0
    private var byRule: [QualityFinding: Int64] = [:]
    private var file: POSIXFile?
    private var writer: CSVWriter?

    init(path: String, resource: String) {
        self.path = path
        self.resource = resource
    }

    var findings: [QualityFinding] {
        byRule.map { QualityFinding(item: $0.key.item, rule: $0.key.rule, count: $0.value) }
            .sorted { ($0.item, $0.rule) < ($1.item, $1.rule) }
    }

    mutating func add(row: Int64, violation: RecordViolation) throws {
        if writer == nil {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            // Quarantined values are personal data: a file left by an earlier agent with looser permissions
            // is replaced rather than truncated, so the new one is created 0600.
            try? FileManager.default.removeItem(atPath: path)
            let file = try POSIXFile.createForWriting(path, mode: 0o600)
            writer = CSVWriter(file: file)
            self.file = file
            try writer?.writeRecord(["time", "row", "item", "rule", "value"])
        }
        count += 1
        byRule[QualityFinding(item: violation.item, rule: violation.rule, count: 0), default: 0] += 1
        try writer?.writeRecord([Timestamp.string(from: Date()), String(row), violation.item, violation.rule, violation.value])
    }

    mutating func close() throws {
        try writer?.flush()
        try file?.close()
        writer = nil
        file = nil
    }
}
