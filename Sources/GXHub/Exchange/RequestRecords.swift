import Foundation
import GXDomain

/// A kept verification request read one record at a time, so the hub walks it in step with the answer
/// being received: each answer record is checked against the request record at the same position.
final class RequestRecords {
    private let input: FileHandle
    private let decoder: BatchPayloadDecoder
    private let valueCount: Int
    private var queue: [CanonicalRecordLine] = []
    private var head = 0
    private var ended = false
    private var tokens: [Int] = []

    init(file: URL, request: VerificationRequest) throws {
        input = try FileHandle(forReadingFrom: file)
        valueCount = request.items.count
        decoder = try BatchPayloadDecoder(valueCount: valueCount, maximumRecordBytes: Int(request.records.bytes))
    }

    /// The next request record, or nil after the last. The kept file was checked when it was accepted.
    func next() throws -> CanonicalRecordLine? {
        while head == queue.count {
            guard !ended else { return nil }
            queue.removeAll(keepingCapacity: true)
            head = 0
            if let chunk = try input.read(upToCount: 256 * 1024), !chunk.isEmpty {
                let valueCount = self.valueCount
                var lines: [[UInt8]] = []
                let bytes = [UInt8](chunk)
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

    func close() { try? input.close() }
}
