import GXCrypto
import GXDomain
import Testing

@Suite("Reading a batch payload")
struct BatchPayloadDecoderTests {
    static func payload() throws -> (wire: [UInt8], records: [CanonicalRecord]) {
        let records = (0..<500).map { CanonicalRecord(operation: $0 % 7 == 0 ? .delete : .upsert, values: [String(format: "%06d", $0), $0 % 3 == 0 ? nil : "值\($0)"]) }
        let encoder = try BatchPayloadEncoder()
        for record in records { try encoder.append(record) }
        try encoder.finish()
        return (encoder.takeWire(), records)
    }

    static func read(_ wire: [UInt8], digesting: Bool, maximumRecordBytes: Int = 1 << 20) throws -> ([CanonicalRecord], BatchPayloadDecoder) {
        let decoder = try BatchPayloadDecoder(valueCount: 2, maximumRecordBytes: maximumRecordBytes, digesting: digesting)
        var read: [CanonicalRecord] = []
        // In small pieces, as a payload is read from a file.
        for start in stride(from: 0, to: wire.count, by: 97) {
            try decoder.consume(Array(wire[start..<min(start + 97, wire.count)])) { record, _ in read.append(record) }
        }
        return (read, decoder)
    }

    @Test("read again without digests (a kept payload checked when accepted), the records and counts are the same; its digests are of nothing")
    func withoutDigests() throws {
        let (wire, records) = try Self.payload()
        let (digested, checking) = try Self.read(wire, digesting: true)
        let (again, reading) = try Self.read(wire, digesting: false)
        #expect(digested == records)
        #expect(again == records)
        #expect(reading.counts == checking.counts)
        let checked = try checking.finish(), unchecked = try reading.finish()
        #expect(checked.wire.sm3 == SM3.digest(wire).hex)
        #expect(unchecked.wire.sm3 == SM3.digest([UInt8]()).hex)
        #expect(unchecked.records.bytes == checked.records.bytes)
    }

    @Test("read again without digests, a payload inflating past the limit is still refused")
    func withoutDigestsStillBounded() throws {
        let (wire, _) = try Self.payload()
        #expect(throws: InvalidInput.self) { _ = try Self.read(wire, digesting: false, maximumRecordBytes: 1000) }
    }
}
