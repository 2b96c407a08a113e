import GXDomain

/// A provider's nightly export file: UTF-8 CSV with a header row (RFC 4180), read in one streaming pass.
///
/// CSV has no trustworthy change cursor, so it is always read in full and changes are found by snapshot
/// diff (`SnapshotDigestStore`). Empty unquoted fields are `nil`; `""` is the empty string.
public final class CSVSource: ByteRowSource {
    public let path: String
    public let keyColumns: [String]
    private let header: [String]
    private let keyIndexes: [Int]
    private let chunkSize: Int

    /// Reads the header and checks that every key column is in it.
    public convenience init(path: String, keyColumns: [String]) throws(LocalDataError) {
        try self.init(path: path, keyColumns: keyColumns, chunkSize: CSVReader.defaultChunkSize)
    }

    /// `chunkSize` is the read size; tests shrink it to put chunk boundaries everywhere.
    init(path: String, keyColumns: [String], chunkSize: Int) throws(LocalDataError) {
        self.path = path
        self.keyColumns = keyColumns
        self.chunkSize = chunkSize
        header = try Self.readHeader(CSVReader(path: path, chunkSize: chunkSize), path: path)
        guard !keyColumns.isEmpty else {
            throw LocalDataError(location: path, reason: "no key columns configured")
        }
        var indexes: [Int] = []
        for column in keyColumns {
            guard let index = header.firstIndex(of: column) else {
                throw LocalDataError(location: path,
                                     reason: "key column \(column) is not in the header (\(header.joined(separator: ", ")))")
            }
            indexes.append(index)
        }
        keyIndexes = indexes
    }

    public func columns() throws(LocalDataError) -> [String] {
        header
    }

    /// Visits every row in file order. Rows whose field count differs from the header's, or with an empty
    /// key field, stop the scan with an error naming the line.
    public func scan(after: SourceCursor?, _ body: (SourceRow) throws -> Void) throws {
        guard after == nil else {
            throw LocalDataError(location: path, reason: "cursor mode needs a database source; use snapshot change detection")
        }
        var fields: [String?] = []
        fields.reserveCapacity(header.count)
        try scanRecords(into: &fields, read: { reader, fields throws(LocalDataError) in try reader.nextRecord(into: &fields) },
                        count: \.count, isAbsent: { $0[$1] == nil }) { fields in
            try body(SourceRow(values: fields))
        }
    }

    /// `scan(after: nil, _:)` with each row as bytes, checked the same way.
    public func scanBytes(_ body: (RowBytes) throws -> Void) throws {
        var row = RowBytes()
        try scanRecords(into: &row, read: { reader, row throws(LocalDataError) in try reader.nextRecord(into: &row) },
                        count: \.count, isAbsent: { $0.isAbsent($1) }, body)
    }

    /// The reading both scans share: the header checked again, then each record checked for its field count
    /// and key fields before `body` sees it.
    private func scanRecords<Row>(into row: inout Row, read: (CSVReader, inout Row) throws(LocalDataError) -> Bool,
                                  count: (Row) -> Int, isAbsent: (Row, Int) -> Bool, _ body: (Row) throws -> Void) throws {
        let reader = try CSVReader(path: path, chunkSize: chunkSize)
        guard try Self.readHeader(reader, path: path) == header else {
            throw LocalDataError(location: "\(path):1", reason: "header changed since the source was opened")
        }
        while try read(reader, &row) {
            guard count(row) == header.count else {
                throw LocalDataError(location: "\(path):\(reader.recordLine)",
                                     reason: "row has \(count(row)) fields, the header has \(header.count)")
            }
            for index in keyIndexes where isAbsent(row, index) {
                throw LocalDataError(location: "\(path):\(reader.recordLine)", reason: "key column \(header[index]) is empty")
            }
            try body(row)
        }
    }

    private static func readHeader(_ reader: CSVReader, path: String) throws(LocalDataError) -> [String] {
        var fields: [String?] = []
        guard try reader.nextRecord(into: &fields) else {
            throw LocalDataError(location: path, reason: "file is empty; expected a header row")
        }
        var names: [String] = []
        var seen = Set<String>()
        for (index, field) in fields.enumerated() {
            guard let name = field, !name.isEmpty else {
                throw LocalDataError(location: "\(path):\(reader.recordLine)", reason: "header column \(index + 1) has no name")
            }
            guard seen.insert(name).inserted else {
                throw LocalDataError(location: "\(path):\(reader.recordLine)", reason: "header names column \(name) twice")
            }
            names.append(name)
        }
        return names
    }
}
