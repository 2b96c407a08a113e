import GXCrypto
import GXDomain

/// A source row on its way to the preparing workers: as text (a database source), as bytes (a CSV export;
/// with its source digest when the pass already took it); or consecutive rows recalled from the last pass
/// unchanged.
enum PreparingRow: Sendable {
    case text(SourceRow)
    case bytes(RowBytes, SourceRowDigest?)
    case recalled(RecalledRows)
}

/// Consecutive rows a pass recognised by their bytes (`SourceRowRecall`): nothing to prepare, only their
/// entries of the last pass's row memory to carry, in order, into this pass's. One value for the whole
/// run of rows, so a night of mostly unchanged rows hands over few items and counts no reference per row.
struct RecalledRows: Sendable {
    var count = 0
    /// Their `SourceRowMemory` entries, back to back.
    var entries: [UInt8] = []
}

/// A prepared row, or why it was quarantined, with its source digest when the pass remembers its rows; or
/// recalled rows passed through.
enum PreparedRow: Sendable {
    case prepared(Result<SnapshotRow, RecordViolation>, source: SourceRowDigest?)
    case recalled(RecalledRows)
}

/// One preparing worker of a snapshot pass: maps and validates a source row, encodes its canonical line and
/// digests it. Its mapper, validator, encoder and digester are its own, so workers share no reference counts
/// (cores contending for one counter cost more than the work), and it is used by one thread at a time.
///
/// A row as bytes goes through the `OutgoingLineEncoder`; a row the encoder leaves (anything but the plain
/// case) and a row as text go through `RecordMapper` and `RecordValidator`. Both give the same line and key,
/// and a violation only ever comes from the `String` path, so the quarantine reads as before.
final class RowPreparer {
    private let mapper: RecordMapper
    private let validator: RecordValidator
    private let encoder: OutgoingLineEncoder?
    private let keyIndices: [Int]
    private let digester: LineDigester
    /// Digests each row's source bytes when the pass remembers its rows (`SourceRowMemory`).
    private let sourceDigester: LineDigester?

    /// `bytes`: rows will come as bytes, so the worker needs an encoder; `remembering`: digest their source bytes.
    init(rules: (RecordMapper, RecordValidator), keyIndices: [Int], digester: LineDigester, bytes: Bool, remembering: Bool = false) {
        (mapper, validator) = rules
        encoder = bytes ? OutgoingLineEncoder(mapper: rules.0, validator: rules.1) : nil
        self.keyIndices = keyIndices
        self.digester = digester
        sourceDigester = remembering ? LineDigester(.sha256) : nil
    }

    func prepare(_ row: PreparingRow) -> PreparedRow {
        switch row {
        case .text(let row):
            var line: [UInt8] = []
            line.reserveCapacity(256)
            return .prepared(prepare(row.values, into: &line), source: nil)
        case .bytes(let row, let source):
            return .prepared(prepare(row), source: source ?? sourceDigester.map { SourceRowDigest(of: row, by: $0) })
        case .recalled(let rows):
            return .recalled(rows)
        }
    }

    private func prepare(_ row: RowBytes) -> Result<SnapshotRow, RecordViolation> {
        var line: [UInt8] = []
        line.reserveCapacity(256)
        guard let encoder, encoder.encode(row, into: &line) else { return prepare(row.values, into: &line) }
        return .success(SnapshotRow(line: line, key: SnapshotKey.encode(encoder.values, at: keyIndices),
                                    digest: SnapshotRowDigest(of: line, by: digester)))
    }

    /// The `String` path.
    private func prepare(_ values: [String?], into line: inout [UInt8]) -> Result<SnapshotRow, RecordViolation> {
        let record: CanonicalRecord
        do throws(RecordViolation) {
            record = CanonicalRecord(operation: .upsert, values: try mapper.map(values))
        } catch {
            return .failure(error)
        }
        if let violation = validator.violation(in: record) { return .failure(violation) }
        record.write(into: &line)
        return .success(SnapshotRow(line: line, key: SnapshotKey.encode(record.values, at: keyIndices),
                                    digest: SnapshotRowDigest(of: line, by: digester)))
    }
}
