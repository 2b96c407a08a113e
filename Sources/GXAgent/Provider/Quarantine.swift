import Foundation
import GXCrypto
import GXDomain

/// Records that break the catalogue schema stay home: one CSV line each (time, row, item, rule, value) in
/// `state_dir/quarantine/<resource>.csv`, rewritten each pass, and counts by item and rule for the batch
/// manifest, which is how the hub learns the provider's data quality. Sealed under the agent's data key
/// (values are personal data): `gx data-key open --dir STATE/data-keys FILE OUT.csv` shows it to a person.
struct Quarantine {
    let path: String
    let resource: String
    private(set) var count: Int64 = 0
    private var byRule: [QualityFinding: Int64] = [:]
    let sealing: DataKey?
    private var file: PayloadFileWriter?
    private var writer: CSVWriter?

    init(path: String, resource: String, sealing: DataKey?) {
        self.path = path
        self.resource = resource
        self.sealing = sealing
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
            let file: PayloadFileWriter
            do { file = try PayloadFileWriter(path: path, sealingWith: sealing) } catch {
                throw AgentError.localData("cannot create the quarantine file \(path): \(error)")
            }
            let location = path
            writer = CSVWriter { (bytes) throws(LocalDataError) in
                do { try file.write(bytes) } catch { throw LocalDataError(location: location, reason: "\(error)") }
            }
            self.file = file
            try writer?.writeRecord(["time", "row", "item", "rule", "value"])
        }
        count += 1
        byRule[QualityFinding(item: violation.item, rule: violation.rule, count: 0), default: 0] += 1
        try writer?.writeRecord([Timestamp.string(from: Date()), String(row), violation.item, violation.rule, violation.value])
    }

    mutating func close() throws {
        try writer?.flush()
        try file?.finish()
        writer = nil
        file = nil
    }
}
