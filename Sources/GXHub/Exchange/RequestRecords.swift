import GXCrypto
import GXDomain

/// A kept verification request read one record at a time, so the hub walks it in step with the answer
/// being received: each answer record is checked against the request record at the same position.
final class RequestRecords {
    private let input: PayloadFileReader
    private let decoder: BatchPayloadDecoder
    private let valueCount: Int
    private var queue: [CanonicalRecordLine] = []
    private var head = 0
    private var ended = false
    private var tokens: [Int] = []

    init(_ input: PayloadFileReader, request: VerificationRequest) throws {
        self.input = input
        valueCount = request.items.count
        decoder = try BatchPayloadDecoder(valueCount: valueCount, maximumRecordBytes: Int(request.records.bytes))
    }

    /// The next request record, or nil after the last. The kept file was checked when it was accepted.
    func next() throws -> CanonicalRecordLine? {
        while head == queue.count {
            guard !ended else { return nil }
            queue.removeAll(keepingCapacity: true)
            head = 0
            if case let bytes = try input.read(upTo: 256 * 1024), !bytes.isEmpty {
                let valueCount = self.valueCount
                var lines: [[UInt8]] = []
                try bytes.withUnsafeBytes { raw in
                    try decoder.consumeLines(raw) { line, _ in lines.append(Array(line.bytes)) }
                }
                // Copied out of the decoder's buffer (a slice kept would make it copy itself on its next chunk).
                for line in lines {
                    queue.append(try CanonicalRecordLine(checking: line[...], valueCount: valueCount, tokens: &tokens))
                }
            } else {
                _ = try decoder.finish()
                ended = true
            }
        }
        defer { head += 1 }
        return queue[head]
    }

    func close() { input.close() }
}
