import Foundation
import GXDomain
import GXStorage

/// A kept verification request read one record at a time, so the hub walks it in step with the answer
/// being received: each answer record is checked against the request record at the same position.
///
/// The next chunk of the request is read, opened (its seal checked and decrypted), inflated and split on a
/// task of its own while the answer's records are checked against the chunk before: the hub checks an
/// answer on two cores instead of one.
final class RequestRecords {
    private let source: Source
    /// The block being decoded ahead; nil after the last.
    private var ahead: Task<CanonicalRecordLines?, any Error>?
    private var lines: CanonicalRecordLines
    private var head = 0

    init(_ input: any PayloadReader, request: VerificationRequest) throws {
        let valueCount = request.items.count
        lines = CanonicalRecordLines(valueCount: valueCount)
        // Its digests were checked when it was accepted: read again, it is only inflated and split.
        source = Source(input, decoder: try BatchPayloadDecoder(valueCount: valueCount, maximumRecordBytes: Int(request.records.bytes), digesting: false),
                        valueCount: valueCount)
        ahead = source.decodeNext()
    }

    /// The next request record, or nil after the last; valid until the next call. The kept payload was checked
    /// when it was accepted.
    func next() async throws -> CanonicalRecordLine? {
        while head == lines.count {
            guard let decoding = ahead else { return nil }
            guard let block = try await decoding.value else {
                ahead = nil
                return nil
            }
            lines = block
            head = 0
            // The block after this one is decoded while this one is walked.
            ahead = source.decodeNext()
        }
        defer { head += 1 }
        return lines[head]
    }

    /// Closes the kept payload, once the block being decoded (if any) is done with it.
    func close() { source.close() }

    /// The reader and its decoder, used by one decoding task at a time (each starts after the one before has
    /// ended), and closed by whichever comes last: `close` or the task in flight.
    private final class Source: @unchecked Sendable {
        private let input: any PayloadReader
        private let decoder: BatchPayloadDecoder
        private let valueCount: Int
        private let lock = NSLock()
        private var busy = false
        private var closed = false

        init(_ input: any PayloadReader, decoder: BatchPayloadDecoder, valueCount: Int) {
            self.input = input
            self.decoder = decoder
            self.valueCount = valueCount
        }

        func decodeNext() -> Task<CanonicalRecordLines?, any Error> {
            Task { try await self.decode() }
        }

        /// The lines of the next chunk read; nil at the end (or once closed).
        private func decode() async throws -> CanonicalRecordLines? {
            guard lock.withLock({ () -> Bool in
                if closed { return false }
                busy = true
                return true
            }) else { return nil }
            defer {
                lock.withLock {
                    busy = false
                    if closed { input.close() }
                }
            }
            var lines = CanonicalRecordLines(valueCount: valueCount)
            while lines.count == 0 {
                let chunk = try await input.read(upTo: 256 * 1024)
                if chunk.isEmpty {
                    _ = try decoder.finish()
                    return nil
                }
                try chunk.withUnsafeBytes { raw in
                    try decoder.consumeLines(raw) { line, _ in lines.append(line) }
                }
            }
            return lines
        }

        func close() {
            lock.withLock {
                guard !closed else { return }
                closed = true
                if !busy { input.close() }
            }
        }
    }
}
