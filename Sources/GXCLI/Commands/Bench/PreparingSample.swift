import Foundation
import GXAgent
import GXDomain
import GXSamples

/// A CSV export of RK-001 as `gx sample` writes it, with the provider's mapping and checks over it: what the
/// preparing microbenchmark and the load's required work (``RequiredWork``) run on.
struct PreparingSample {
    let register: SampleRegister
    let path: String
    let source: CSVSource
    let entry: CatalogueEntry
    /// The catalogue's items, in order: the items a provider's batch carries.
    let items: [String]
    let mapper: RecordMapper
    let validator: RecordValidator
    let encoder: OutgoingLineEncoder
    private let map: [FieldMapping]

    /// Writes `rows` rows to `directory`/prepare-input.csv; `remove()` deletes it.
    init(rows: Int, directory: URL, documents: URL) throws {
        register = SampleRegister(resource: .population, rows: rows, seed: 1)
        path = directory.appendingPathComponent("prepare-input.csv").path
        try SampleCommand.CSVOutput.write(register, toFile: path)
        let entryFile = documents.appendingPathComponent("Catalogue/RK-001-population.toml").path
        entry = try TOMLDocument.decode(CatalogueEntry.self, from: try SecretFile.read(entryFile), source: entryFile)
        struct Provide: Decodable { var map: [FieldMapping] }
        struct Mapping: Decodable { var provide: Provide }
        map = try TOMLDocument.decode(Mapping.self, from: register.mappingTOML, source: "sample mapping").provide.map
        source = try CSVSource(path: path, keyColumns: [register.columns[0]])
        items = entry.items.map(\.name)
        (mapper, validator) = try Self.rules(map, source: source, path: path, entry: entry, items: items, register: register)
        encoder = OutgoingLineEncoder(mapper: mapper, validator: validator)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    /// A fresh mapper and validator, as each preparing worker of a provider's pass builds its own.
    func rules() throws -> (RecordMapper, RecordValidator) {
        try Self.rules(map, source: source, path: path, entry: entry, items: items, register: register)
    }

    private static func rules(_ map: [FieldMapping], source: CSVSource, path: String, entry: CatalogueEntry, items: [String],
                              register: SampleRegister) throws -> (RecordMapper, RecordValidator) {
        (try RecordMapper.outgoing(map, columns: try source.columns(), columnsSource: path, entry: entry, items: items,
                                   configText: register.mappingTOML, configSource: "sample mapping"),
         try RecordValidator(entry: entry, items: items))
    }

    /// A row through the `String` path (as a database source goes, and a CSV row the byte path leaves):
    /// false for a row that fails its mapping or checks.
    func encodeViaStrings(_ values: [String?], into line: inout [UInt8]) -> Bool {
        guard let values = try? mapper.map(values) else { return false }
        let record = CanonicalRecord(operation: .upsert, values: values)
        guard validator.violation(in: record) == nil else { return false }
        record.write(into: &line)
        return true
    }

    /// A row as a provider's pass prepares a CSV row: on bytes, or through the `String` path when the byte
    /// path leaves it. Returns whether the row was kept and whether it went on bytes.
    func encode(_ row: RowBytes, into line: inout [UInt8]) -> (kept: Bool, onBytes: Bool) {
        if encoder.encode(row, into: &line) { return (true, true) }
        return (encodeViaStrings(row.values, into: &line), false)
    }
}
