import GXDomain
import NIOCore

/// A received payload digested and inflated a piece ahead of its checks: while the caller splits and
/// checks the lines of one piece, the next is hashed (SM3 of the wire and of the lines) and inflated on a
/// task of its own, so the hub checks a payload on two cores instead of one.
///
/// Pieces are at most `pieceSize` wire bytes, so what one inflates to — all the memory a piece holds — stays
/// bounded however well a hostile payload compresses.
final class InflationAhead {
    static let pieceSize = 8 * 1024
    private let inflation: PayloadInflation
    private var inflating: Task<[UInt8], any Error>?

    init(_ inflation: PayloadInflation) {
        self.inflation = inflation
    }

    /// Starts inflating `wire` (at most `pieceSize` bytes) and returns what the piece before inflated to (nil
    /// for the first).
    func exchange(_ piece: [UInt8]) async throws -> [UInt8]? {
        let before = try await inflating?.value
        // One task at a time uses the inflation: this one starts after the one before has ended.
        nonisolated(unsafe) let inflation = self.inflation
        inflating = Task {
            var inflated: [UInt8] = []
            try piece.withUnsafeBytes { try inflation.inflate($0, into: &inflated) }
            return inflated
        }
        return before
    }

    /// Feeds a received buffer in pieces of at most `pieceSize`; calls `body` with what each piece before
    /// inflated to, while the piece after it inflates.
    func feed(_ bytes: ByteBufferView, _ body: ([UInt8]) async throws -> Void) async throws {
        var start = bytes.startIndex
        while start < bytes.endIndex {
            let end = min(start + Self.pieceSize, bytes.endIndex)
            if let inflated = try await exchange(Array(bytes[start..<end])) { try await body(inflated) }
            start = end
        }
    }

    /// What the last piece inflated to (nil when there was none). The payload's digests then come from its
    /// `PayloadInflation`.
    func finish() async throws -> [UInt8]? {
        defer { inflating = nil }
        return try await inflating?.value
    }
}
