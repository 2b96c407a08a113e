import GXCrypto

/// Writes a snapshot file: the accepted snapshot of a resource, or one sorted run of a pass.
///
/// The format is a 16-byte header (the digest kind's magic, then the entry count as a little-endian
/// UInt64, filled in by `finish`) and the entries in key order, each `keyLength` and `lineLength` as
/// little-endian UInt32, the key's bytes, the 32-byte digest, then the line's bytes (none in a snapshot).
/// Files are created 0600: keys are personal identifiers.
final class SnapshotFileWriter {
    let path: String
    private let file: POSIXFile
    private var buffer: [UInt8] = []
    private(set) var count = 0

    private static let flushBytes = 256 * 1024

    init(path: String, kind: SnapshotDigestKind) throws(LocalDataError) {
        self.path = path
        file = try POSIXFile.createForWriting(path, mode: 0o600)
        buffer.reserveCapacity(Self.flushBytes + 4096)
        buffer.append(contentsOf: kind.magic)
        buffer.append(contentsOf: [UInt8](repeating: 0, count: 8))
    }

    func append(key: UnsafeRawBufferPointer, digest: UnsafeRawBufferPointer, line: UnsafeRawBufferPointer) throws(LocalDataError) {
        append(UInt32(key.count))
        append(UInt32(line.count))
        buffer.append(contentsOf: key)
        buffer.append(contentsOf: digest)
        buffer.append(contentsOf: line)
        count += 1
        if buffer.count >= Self.flushBytes { try flush() }
    }

    /// Appends `entries` entries exactly as a snapshot file stores them (`SnapshotFileReader.storedEntry`,
    /// `copyEntries`): one copy, no re-encoding.
    func append(stored bytes: UnsafeRawBufferPointer, entries: Int = 1) throws(LocalDataError) {
        if bytes.count >= Self.flushBytes {
            try flush()
            try file.write(bytes)
        } else {
            buffer.append(contentsOf: bytes)
            if buffer.count >= Self.flushBytes { try flush() }
        }
        count += entries
    }

    /// Writes what is buffered and the entry count; with `durable`, the file reaches the disk before this
    /// returns, so renaming it into place afterwards cannot expose a torn snapshot.
    func finish(durable: Bool) throws(LocalDataError) {
        try flush()
        var header = [UInt8]()
        header.reserveCapacity(8)
        withUnsafeBytes(of: UInt64(count).littleEndian) { header.append(contentsOf: $0) }
        try header.withBytes { bytes throws(LocalDataError) in try file.write(bytes, at: SnapshotFileFormat.magicLength) }
        if durable { try file.sync() }
        try file.close()
    }

    private func append(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
    }

    private func flush() throws(LocalDataError) {
        guard !buffer.isEmpty else { return }
        try buffer.withBytes { bytes throws(LocalDataError) in try file.write(bytes) }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// What every snapshot file starts with.
enum SnapshotFileFormat {
    static let magicLength = 8
    static let headerLength = 16
    static let digestLength = 32
}
