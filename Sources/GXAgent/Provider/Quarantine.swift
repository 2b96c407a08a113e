import Foundation
import GXDomain

/// Records that break the catalogue schema stay home: one CSV line each (row, item, rule, value) in
/// `state_dir/quarantine/<resource>.csv`, and counts by item and rule for the batch manifest, which is
/// how the hub learns the provider's data quality.
struct Quarantine {
    let path: String
    let resource: String
    private(set) var count: Int64 = 0
    private var byRule: [QualityFinding: Int64] = [:]
    private var handle: FileHandle?

    init(path: String, resource: String) {
        self.path = path
        self.resource = resource
    }

    var findings: [QualityFinding] {
        byRule.map { QualityFinding(item: $0.key.item, rule: $0.key.rule, count: $0.value) }
            .sorted { ($0.item, $0.rule) < ($1.item, $1.rule) }
    }

    mutating func add(row: Int64, violation: RecordViolation, values: [String?]) throws {
        if handle == nil {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: path, contents: Data("time,row,item,rule,value\n".utf8))
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle?.seekToEnd()
        }
        count += 1
        byRule[QualityFinding(item: violation.item, rule: violation.rule, count: 0), default: 0] += 1
        let fields = [Timestamp.string(from: Date()), String(row), violation.item, violation.rule, violation.value ?? ""]
        try handle?.write(contentsOf: Data((fields.map(Self.quoted).joined(separator: ",") + "\n").utf8))
    }

    mutating func close() throws {
        try handle?.close()
        handle = nil
    }

    static func quoted(_ field: String) -> String {
        field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
    }
}
