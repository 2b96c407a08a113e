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

    /// Scans `source` into `sorted`.
    func collect(_ source: any RecordSource, map: [FieldMapping], label: String, configText: String, configSource: String,
                 into sorted: SortedRecords) async throws -> Outcome {
        let columns: [String]
        do { columns = try source.columns() } catch { throw AgentError.localData("\(error)") }
        let mapper: RecordMapper, validator: RecordValidator
        do {
            mapper = try RecordMapper.outgoing(map, columns: columns, columnsSource: label, entry: entry, items: items,
                                               configText: configText, configSource: configSource)
            validator = try RecordValidator(entry: entry, items: items)
        } catch {
            throw AgentError.configuration(error.description)
        }
        var outcome = Outcome()
        var line: [UInt8] = []
        var key: [UInt8] = []
        let keyCount = self.keyCount
        try await source.scan(after: nil) { row in
            outcome.rows += 1
            let record: CanonicalRecord
            do throws(RecordViolation) {
                record = CanonicalRecord(operation: .upsert, values: try mapper.map(row.values))
                if let violation = validator.violation(in: record) { throw violation }
            } catch {
                outcome.invalid += 1
                if outcome.firstProblem == nil { outcome.firstProblem = "row \(outcome.rows): \(error)" }
                return
            }
            line.removeAll(keepingCapacity: true)
            record.write(into: &line)
            // The key's bytes as they stand in the line: its values written alone, less `["u",` and `]\n`.
            key.removeAll(keepingCapacity: true)
            CanonicalRecord(operation: .upsert, values: Array(record.values.prefix(keyCount))).write(into: &key)
            try sorted.append(line: line, keyLength: key.count - SortedRecords.keyOffset - 2)
        }
        return outcome
    }
}
