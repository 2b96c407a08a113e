import GXCrypto
import GXDomain
import Testing
@testable import GXHub

/// A received payload is inflated a piece ahead of its checks, on a task of its own: the lines, counts and
/// digests must be those of reading it in one go, and a payload that inflates past its limit must still be
/// refused.
@Suite("Payloads inflated a piece ahead of the checks")
struct InflationAheadTests {
    static func payload(_ count: Int) throws -> (wire: [UInt8], digests: (records: PayloadDigest, wire: PayloadDigest), lines: [String]) {
        let encoder = try BatchPayloadEncoder()
        var lines: [String] = []
        for index in 0..<count {
            let record = CanonicalRecord(operation: .upsert, values: [String(format: "%08d", index), "姓名\(index % 97)", index % 5 == 0 ? nil : "北京"])
            var line: [UInt8] = []
            record.write(into: &line)
            lines.append(String(decoding: line.dropLast(), as: UTF8.self))
            try encoder.append(record)
        }
        try encoder.finish()
        let wire = encoder.takeWire()
        return (wire, encoder.digests(), lines)
    }

    /// Feeds `wire` in pieces of the given sizes (cycled, each at most a piece) and reads the lines back.
    static func read(_ wire: [UInt8], pieces: [Int], limit: Int) async throws -> (lines: [String], digests: (records: PayloadDigest, wire: PayloadDigest), counts: BatchCounts) {
        let inflation = try PayloadInflation(maximumRecordBytes: limit)
        let ahead = InflationAhead(inflation)
        let reader = CanonicalLineReader(valueCount: 3)
        var lines: [String] = []
        func take(_ inflated: [UInt8]?) throws {
            guard let inflated else { return }
            try reader.consumeLines(inflated) { line, _ in lines.append(String(decoding: line.bytes, as: UTF8.self)) }
        }
        var start = 0, turn = 0
        while start < wire.count {
            let end = min(start + min(pieces[turn % pieces.count], InflationAhead.pieceSize), wire.count)
            try take(try await ahead.exchange(Array(wire[start..<end])))
            start = end
            turn += 1
        }
        try take(try await ahead.finish())
        let digests = try inflation.finish()
        try reader.finish()
        return (lines, digests, reader.counts)
    }

    @Test("a payload fed in uneven pieces gives every line, in order, with the digests and counts of the whole")
    func sameAsWhole() async throws {
        let (wire, digests, lines) = try Self.payload(30_000)
        let read = try await Self.read(wire, pieces: [1, 8192, 333, 5000, 17], limit: 1 << 30)
        #expect(read.lines == lines)
        #expect(read.digests.records == digests.records)
        #expect(read.digests.wire == digests.wire)
        #expect(read.counts.upserts == 30_000)
    }

    @Test("a payload that inflates past its limit is refused, though each piece inflates on another task")
    func bombRefused() async throws {
        // 64 MiB of one repeated line deflates to a few hundred KiB.
        let encoder = try BatchPayloadEncoder()
        let line = Array(#"["u","00000001","\#(String(repeating: "北", count: 200))",null]"#.utf8) + [UInt8(ascii: "\n")]
        for _ in 0..<(64 << 20) / line.count { try encoder.append(encoded: line, operation: .upsert) }
        try encoder.finish()
        let wire = encoder.takeWire()
        await #expect(throws: InvalidInput.self) {
            _ = try await Self.read(wire, pieces: [8192], limit: 1 << 20)
        }
    }
}
