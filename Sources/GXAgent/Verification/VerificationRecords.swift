import Foundation
import GXDomain

/// Reads a local source through a mapping into sorted canonical records of chosen items (key items
/// first): the consumer's records to check and the provider's register go through the same mapping and
/// normalisation (trimming, full-width → half-width, codes, conversions) and the same validation.
struct VerificationRecords {
    let entry: CatalogueEntry
    /// Key items, then the items checked.
    let items: [String]
    let keyCount: Int

    struct Outcome {
        var rows: Int64 = 0
        /// Rows that do not map or validate: they are neither asked nor compared.
        var invalid: Int64 = 0
        var firstProblem: String?
    }

    /// Scans `source` into `sorted`. Rows are mapped, validated and encoded on one worker per core (each with
    /// its own mapper and validator, as a provider's pass prepares rows) and added to `sorted` in source order.
    func collect(_ source: any RecordSource, map: [FieldMapping], label: String, configText: String, configSource: String,
                 into sorted: SortedRecords) async throws -> Outcome {
        let columns: [String]
        do { columns = try source.columns() } catch { throw AgentError.localData("\(error)") }
        let keyCount = self.keyCount
        let workers = max(1, min(4, ProcessInfo.processInfo.activeProcessorCount))
        // A CSV export is read as bytes and prepared as a provider's pass prepares it (`OutgoingLineEncoder`),
        // a row the byte path is unsure of through the String path: the same line, or the same violation.
        let byteSource = source as? any ByteRowSource
        var transforms: [(PreparingRow) -> Result<Prepared, RecordViolation>] = []
        do {
            for _ in 0..<workers {
                let mapper = try RecordMapper.outgoing(map, columns: columns, columnsSource: label, entry: entry, items: items,
                                                       configText: configText, configSource: configSource)
                let validator = try RecordValidator(entry: entry, items: items)
                let encoder = byteSource == nil ? nil : OutgoingLineEncoder(mapper: mapper, validator: validator)
                transforms.append { row in
                    var line: [UInt8] = []
                    line.reserveCapacity(128)
                    let values: [String?]
                    switch row {
                    case .bytes(let bytes, _):
                        if let encoder, encoder.encode(bytes, into: &line) {
                            return .success(Prepared(line: line, keyLength: Self.leadingLength(of: line, values: keyCount)))
                        }
                        values = bytes.values
                    case .text(let row):
                        values = row.values
                    case .recalled:
                        // Only a provider's snapshot pass remembers rows; a verification's are all read afresh.
                        preconditionFailure("a verification's records are never recalled from a row memory")
                    }
                    do throws(RecordViolation) {
                        let record = CanonicalRecord(operation: .upsert, values: try mapper.map(values))
                        if let violation = validator.violation(in: record) { throw violation }
                        let keyLength = record.write(into: &line, measuringLeading: keyCount)
                        return .success(Prepared(line: line, keyLength: keyLength))
                    } catch {
                        return .failure(error)
                    }
                }
            }
        } catch {
            throw AgentError.configuration(error.description)
        }
        var outcome = Outcome()
        let preparing = PipelineStage<PreparingRow, Result<Prepared, RecordViolation>>(
            label: "gongxiang.verification.prepare", transforms: transforms,
            emit: { prepared in
                for index in prepared.indices {
                    outcome.rows += 1
                    switch prepared[index] {
                    case .success(let record):
                        try sorted.append(line: record.line, keyLength: record.keyLength)
                    case .failure(let error):
                        outcome.invalid += 1
                        if outcome.firstProblem == nil { outcome.firstProblem = "row \(outcome.rows): \(error)" }
                    }
                }
            })
        do {
            if let byteSource {
                try byteSource.scanBytes { row in try preparing.add(.bytes(row, nil)) }
            } else {
                try await source.scan(after: nil) { row in try preparing.add(.text(row)) }
            }
            try preparing.finish()
        } catch {
            preparing.abandon()
            throw error
        }
        return outcome
    }

    /// How many bytes the first `count` values take in a canonical line (the commas between them included),
    /// from just after `["u",` — what `CanonicalRecord.write(into:measuringLeading:)` measures as it writes.
    static func leadingLength(of line: [UInt8], values count: Int) -> Int {
        let start = 5
        var index = start
        for value in 0..<count {
            if value > 0 { index += 1 }
            guard line[index] == UInt8(ascii: "\"") else {
                index += 4  // null
                continue
            }
            index += 1
            while line[index] != UInt8(ascii: "\"") { index += line[index] == UInt8(ascii: "\\") ? 2 : 1 }
            index += 1
        }
        return index - start
    }

    /// A row's canonical line and the length of its key in it.
    struct Prepared {
        var line: [UInt8]
        var keyLength: Int
    }
}
