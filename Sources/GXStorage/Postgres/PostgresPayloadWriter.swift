import GXCrypto
import NIOCore

/// An upload into `payload_chunks`: bytes are sealed as they come and go out a 256 KB chunk at a time, each
/// in a statement of its own (no connection is held between chunks), so memory holds one chunk at most.
final class PostgresPayloadWriter: PayloadWriter {
    let name: String
    private let payloads: PostgresPayloadStore
    private let id: Int64
    private let sealer: PayloadSealer?
    private var pending: [UInt8] = []
    private var chunks: Int32 = 0
    private var written: Int64 = 0
    private var done = false

    init(payloads: PostgresPayloadStore, id: Int64, name: String, sealer: PayloadSealer?) {
        self.payloads = payloads
        self.id = id
        self.name = name
        self.sealer = sealer
        pending.reserveCapacity(PostgresPayloadStore.chunkBytes + 64 * 1024)
        if let sealer { pending += sealer.header }
    }

    func write(_ bytes: some Sequence<UInt8>) async throws {
        precondition(!done, "write to a finished or abandoned payload")
        let appended: Void? = bytes.withContiguousStorageIfAvailable { append(UnsafeRawBufferPointer($0)) }
        if appended == nil { Array(bytes).withUnsafeBytes { append($0) } }
        while pending.count >= PostgresPayloadStore.chunkBytes { try await flush(PostgresPayloadStore.chunkBytes) }
    }

    func finish() async throws {
        precondition(!done, "a payload finished twice")
        if let sealer { pending += sealer.finish() }
        while !pending.isEmpty { try await flush(min(pending.count, PostgresPayloadStore.chunkBytes)) }
        try await payloads.finished(id, bytes: written)
        done = true
    }

    func abandon() {
        guard !done else { return }
        done = true
        // Not awaited (a refusal's clean-up runs in `defer`); the abandoned-upload sweep catches what this misses.
        Task { [payloads, id] in await payloads.deleteUpload(id) }
    }

    private func append(_ bytes: UnsafeRawBufferPointer) {
        if let sealer { sealer.seal(bytes, appendingTo: &pending) } else { pending.append(contentsOf: bytes) }
    }

    private func flush(_ count: Int) async throws {
        let chunk = ByteBuffer(bytes: pending[..<count])
        pending.removeFirst(count)
        try await payloads.insertChunk(id, number: chunks, chunk)
        chunks += 1
        written += Int64(count)
    }
}
