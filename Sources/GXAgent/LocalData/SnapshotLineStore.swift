import GXCrypto

/// The canonical lines of one pass, appended in source order to a file of the pass directory, so that the
/// sorted runs carry a 12-byte locator instead of each line. The comparison reads back only the lines of
/// rows that changed — about 1 % on an ordinary night — instead of sorting, writing and merging them all.
final class SnapshotLineStore {
    /// Bytes of a locator: the line's offset (UInt64) and length (UInt32), little-endian.
    static let locatorLength = 12

    private let file: POSIXFile
    private var buffer: [UInt8] = []
    /// Bytes already written to the file; the buffer continues from there.
    private var written = 0

    private static let flushBytes = 256 * 1024

    /// Lines are agency data: the file is created 0600.
    init(path: String) throws(LocalDataError) {
        file = try POSIXFile.createForReadingAndWriting(path, mode: 0o600)
        buffer.reserveCapacity(Self.flushBytes + 4096)
    }

    /// Keeps `line` and writes its locator to `locator` (`locatorLength` bytes).
    func append(_ line: [UInt8], locator: inout [UInt8]) throws(LocalDataError) {
        let offset = written + buffer.count
        locator.removeAll(keepingCapacity: true)
        withUnsafeBytes(of: UInt64(offset).littleEndian) { locator.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(line.count).littleEndian) { locator.append(contentsOf: $0) }
        buffer.append(contentsOf: line)
        if buffer.count >= Self.flushBytes { try flush() }
    }

    /// The line a locator names.
    func line(at locator: UnsafeRawBufferPointer) throws(LocalDataError) -> [UInt8] {
        guard locator.count == Self.locatorLength else {
            throw LocalDataError(location: file.path, reason: "a run entry's line locator has \(locator.count) bytes, expected \(Self.locatorLength)")
        }
        let offset = Int(UInt64(littleEndian: locator.loadUnaligned(as: UInt64.self)))
        let length = Int(UInt32(littleEndian: locator.loadUnaligned(fromByteOffset: 8, as: UInt32.self)))
        guard offset + length <= written + buffer.count else {
            throw LocalDataError(location: file.path, reason: "a line locator points past the end of the pass's lines")
        }
        try flush()
        var line = [UInt8](repeating: 0, count: length)
        let file = self.file
        let failure = line.withUnsafeMutableBytes { bytes -> LocalDataError? in
            guard let base = bytes.baseAddress else { return nil }
            do throws(LocalDataError) { try file.read(into: base, count: length, at: offset) } catch { return error }
            return nil
        }
        if let failure { throw failure }
        return line
    }

    func close() throws(LocalDataError) {
        try file.close()
    }

    private func flush() throws(LocalDataError) {
        guard !buffer.isEmpty else { return }
        try buffer.withBytes { bytes throws(LocalDataError) in try file.write(bytes) }
        written += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }
}
