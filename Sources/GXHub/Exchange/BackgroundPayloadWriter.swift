import Foundation
import GXStorage

/// A received payload written on a task of its own while the hub decodes and checks the bytes after it.
/// Sealing what arrives (SM4-CTR and HMAC-SM3 into a file, or the PostgreSQL rows) is a large part of receiving
/// a batch or a verification, and the other core is otherwise idle while one arrives. One chunk is written at
/// a time while the next is gathered, so it holds two chunks at most; chunks are written in order, and a
/// write's error is thrown by the next `write` or by `finish`.
///
/// Not Sendable: one payload, written by one task at a time (as any `PayloadWriter`).
final class BackgroundPayloadWriter: PayloadWriter {
    private let target: Target
    private var gathered: [UInt8] = []
    /// The chunk being written.
    private var writing: Task<Void, any Error>?
    static let chunk = 128 * 1024

    var name: String { target.writer.name }

    init(_ writer: any PayloadWriter) {
        target = Target(writer)
        gathered.reserveCapacity(Self.chunk)
    }

    func write(_ bytes: some Sequence<UInt8>) async throws {
        gathered.append(contentsOf: bytes)
        if gathered.count >= Self.chunk { try await handOff() }
    }

    /// Starts writing what was gathered once the chunk before is written.
    private func handOff() async throws {
        try await writing?.value
        let chunk = gathered, target = self.target
        gathered = []
        gathered.reserveCapacity(Self.chunk)
        writing = Task { try await target.write(chunk) }
    }

    func finish() async throws {
        try await writing?.value
        writing = nil
        if !gathered.isEmpty { try await target.write(gathered) }
        gathered = []
        try await target.writer.finish()
    }

    /// Drops the payload: at once, or as soon as the chunk being written is.
    func abandon() { target.abandon() }

    /// The writer, written by one task at a time (each starts after the one before has ended), and abandoned
    /// by whichever comes last: `abandon` or the write in flight.
    private final class Target: @unchecked Sendable {
        let writer: any PayloadWriter
        private let lock = NSLock()
        private var busy = false
        private var abandoned = false

        init(_ writer: any PayloadWriter) { self.writer = writer }

        func write(_ chunk: [UInt8]) async throws {
            guard lock.withLock({ () -> Bool in
                if abandoned { return false }
                busy = true
                return true
            }) else { throw CancellationError() }
            defer {
                lock.withLock {
                    busy = false
                    if abandoned { writer.abandon() }
                }
            }
            try await writer.write(chunk)
        }

        func abandon() {
            lock.withLock {
                guard !abandoned else { return }
                abandoned = true
                if !busy { writer.abandon() }
            }
        }
    }
}
