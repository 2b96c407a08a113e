import GXDomain
import GXStorage

/// A kept verification request read one record at a time, so the hub walks it in step with the answer
/// being received: each answer record is checked against the request record at the same position.
final class RequestRecords {
    private let input: any PayloadReader
    private let decoder: BatchPayloadDecoder
    private let valueCount: Int
    /// The lines of the last chunk read, as the decoder checked them: one buffer reused for every chunk
    /// rather than an array per record, and no line checked twice.
    private var lines: CanonicalRecordLines
    private var head = 0
    private var ended = false

    init(_ input: any PayloadReader, request: VerificationRequest) throws {
        self.input = input
        valueCount = request.items.count
        lines = CanonicalRecordLines(valueCount: valueCount)
        // Its digests were checked when it was accepted: read again, it is only inflated and split.
        decoder = try BatchPayloadDecoder(valueCount: valueCount, maximumRecordBytes: Int(request.records.bytes), digesting: false)
    }

    /// The next request record, or nil after the last; valid until the next call. The kept payload was checked
    /// when it was accepted.
    func next() async throws -> CanonicalRecordLine? {
        while head == lines.count {
            guard !ended else { return nil }
            lines.removeAll()
            head = 0
            if case let chunk = try await input.read(upTo: 256 * 1024), !chunk.isEmpty {
                // Copied out of the decoder's buffer (a slice kept would make it copy itself on its next chunk).
                try chunk.withUnsafeBytes { raw in
                    try decoder.consumeLines(raw) { line, _ in lines.append(line) }
                }
            } else {
                _ = try decoder.finish()
                ended = true
            }
        }
        defer { head += 1 }
        return lines[head]
    }

    func close() { input.close() }
}
