import Foundation
import GXCrypto
import GXDomain
import Testing
@testable import GXAgent

@Suite("Decoding an answer on a thread of its own")
struct DecodedLinesAheadTests {
    /// A payload of `count` answer-like records and the records' digests, as an encoder made them.
    static func payload(_ count: Int) throws -> (wire: [UInt8], records: PayloadDigest, wireDigest: PayloadDigest, lines: [[UInt8]]) {
        let encoder = try BatchPayloadEncoder()
        var wire: [UInt8] = [], lines: [[UInt8]] = []
        for index in 0..<count {
            var line: [UInt8] = []
            CanonicalRecord(operation: .upsert, values: [String(format: "%08d", index), index % 7 == 0 ? "not_found" : "found", index % 3 == 0 ? nil : "match"])
                .write(into: &line)
            lines.append(line)
            try encoder.append(encoded: line, operation: .upsert)
            if encoder.pendingWireBytes >= 64 * 1024 { wire += encoder.takeWire() }
        }
        try encoder.finish()
        wire += encoder.takeWire()
        let digests = encoder.digests()
        return (wire, digests.records, digests.wire, lines)
    }

    @Test("every line comes in order, in blocks, and the digests are the encoder's")
    func sameLines() throws {
        let made = try Self.payload(50_000)
        let decoded = DecodedLinesAhead(.memory(made.wire), keyring: nil, valueCount: 3, maximumRecordBytes: 1 << 26, blockLines: 1000, depth: 2)
        var lines: [[UInt8]] = []
        var blocks = 0
        while let block = try decoded.next() {
            blocks += 1
            #expect(block.count <= 1000)
            for index in 0..<block.count { lines.append(Array(block[index].bytes) + [UInt8(ascii: "\n")]) }
        }
        #expect(lines == made.lines)
        #expect(blocks >= 50)
        let digests = try #require(decoded.digests())
        #expect(digests.records == made.records)
        #expect(digests.wire == made.wireDigest)
    }

    @Test("a payload that does not inflate is refused by the read that reaches it, after the blocks before it")
    func damagedRefused() throws {
        var wire = try Self.payload(20_000).wire
        wire[wire.count / 2] ^= 0xFF
        wire[wire.count / 2 + 1] ^= 0xFF
        let decoded = DecodedLinesAhead(.memory(wire), keyring: nil, valueCount: 3, maximumRecordBytes: 1 << 26, blockLines: 500)
        #expect(throws: (any Error).self) {
            while try decoded.next() != nil {}
        }
        #expect(decoded.digests() == nil)
    }

    @Test("closing before the last block stops the decoding thread")
    func closeEarly() throws {
        let decoded = DecodedLinesAhead(.memory(try Self.payload(50_000).wire), keyring: nil, valueCount: 3, maximumRecordBytes: 1 << 26,
                                        blockLines: 100, depth: 1)
        #expect(try decoded.next()?.count == 100)
        decoded.close()
        decoded.close()
        #expect(decoded.digests() == nil)
    }
}
