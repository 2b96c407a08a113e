/// Writes RFC 4180 records into a byte buffer flushed to a file in large writes.
///
/// Quotes a field only when it must (comma, quote, CR or LF) — and the empty string, so it reads back as
/// `""` rather than as a missing value; `nil` is written as nothing.
final class CSVWriter {
    private let sink: (UnsafeRawBufferPointer) throws(LocalDataError) -> Void
    private var buffer: [UInt8] = []
    private let flushThreshold: Int

    convenience init(file: POSIXFile, flushThreshold: Int = 1 << 20) {
        self.init(flushThreshold: flushThreshold) { (bytes) throws(LocalDataError) in try file.write(bytes) }
    }

    /// Writes through `sink` (a sealed file's writer, for the quarantine).
    init(flushThreshold: Int = 1 << 20, sink: @escaping (UnsafeRawBufferPointer) throws(LocalDataError) -> Void) {
        self.sink = sink
        self.flushThreshold = flushThreshold
        buffer.reserveCapacity(flushThreshold + 4096)
    }

    func writeRecord(_ fields: [String?]) throws(LocalDataError) {
        for index in fields.indices {
            if index > 0 { buffer.append(UInt8(ascii: ",")) }
            if let field = fields[index] { append(field) }
        }
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= flushThreshold { try flush() }
    }

    func writeRecord(_ fields: [String]) throws(LocalDataError) {
        try writeRecord(fields.map { Optional($0) })
    }

    func flush() throws(LocalDataError) {
        guard !buffer.isEmpty else { return }
        var failure: LocalDataError?
        buffer.withUnsafeBytes { bytes in
            do throws(LocalDataError) { try sink(bytes) } catch { failure = error }
        }
        if let failure { throw failure }
        buffer.removeAll(keepingCapacity: true)
    }

    private func append(_ field: String) {
        var field = field
        field.withUTF8 { bytes in
            var needsQuotes = bytes.isEmpty
            if !needsQuotes {
                for byte in bytes where byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"")
                    || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                    needsQuotes = true
                    break
                }
            }
            guard needsQuotes else {
                buffer.append(contentsOf: bytes)
                return
            }
            buffer.append(UInt8(ascii: "\""))
            for byte in bytes {
                if byte == UInt8(ascii: "\"") { buffer.append(byte) }
                buffer.append(byte)
            }
            buffer.append(UInt8(ascii: "\""))
        }
    }
}
