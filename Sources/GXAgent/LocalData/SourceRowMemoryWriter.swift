/// Writes a pass's `SourceRowMemory`, one row at a time in source order, through one buffer.
final class SourceRowMemoryWriter {
    let path: String
    private let file: POSIXFile
    private var buffer: [UInt8] = []
    private var finished = false

    private static let flushBytes = 256 * 1024

    init(path: String, fingerprint: [UInt8]) throws(LocalDataError) {
        precondition(fingerprint.count == SourceRowMemory.fingerprintLength, "a fingerprint has 32 bytes")
        self.path = path
        file = try POSIXFile.createForWriting(path, mode: 0o600)
        buffer.reserveCapacity(Self.flushBytes + 4096)
        buffer.append(contentsOf: SourceRowMemory.magic)
        buffer.append(contentsOf: fingerprint)
    }

    /// Remembers one row: its source digest and, when it was kept, its key.
    func append(_ source: SourceRowDigest, keptAs key: String?) throws(LocalDataError) {
        withUnsafeBytes(of: source.first) { buffer.append(contentsOf: $0) }
        withUnsafeBytes(of: source.second) { buffer.append(contentsOf: $0) }
        if var key {
            key.withUTF8 { key in
                withUnsafeBytes(of: UInt32(key.count).littleEndian) { buffer.append(contentsOf: $0) }
                buffer.append(contentsOf: key)
            }
        } else {
            withUnsafeBytes(of: SourceRowMemory.notKept.littleEndian) { buffer.append(contentsOf: $0) }
        }
        if buffer.count >= Self.flushBytes { try flush() }
    }

    /// Remembers rows exactly as the last pass's memory held them: their entries, back to back, as
    /// `SourceRowRecall.recall(_:appendingTo:)` hands them over.
    func append(remembered entries: [UInt8]) throws(LocalDataError) {
        buffer.append(contentsOf: entries)
        if buffer.count >= Self.flushBytes { try flush() }
    }

    /// Writes what is buffered and, with `durable`, makes the file durable, so renaming it into place cannot
    /// expose a torn one (without, the caller syncs it before the rename).
    func finish(durable: Bool = true) throws(LocalDataError) {
        guard !finished else { return }
        finished = true
        try flush()
        if durable { try file.sync() }
        try file.close()
    }

    private func flush() throws(LocalDataError) {
        guard !buffer.isEmpty else { return }
        try buffer.withBytes { bytes throws(LocalDataError) in try file.write(bytes) }
        buffer.removeAll(keepingCapacity: true)
    }
}
