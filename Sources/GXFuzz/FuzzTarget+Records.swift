import GXDomain

/// The record path: a canonical line, and a whole payload as the hub receives it (deflate, then lines).
extension FuzzTarget {
    /// The first byte picks the value count (1–8); the rest is the line. A line the parser accepts must be
    /// exactly what the writer makes of the record (the SM3 of a batch relies on it).
    static func canonicalLine(_ bytes: [UInt8]) {
        guard let first = bytes.first else { return }
        let line = bytes.dropFirst()
        guard let record = try? CanonicalRecord.parse(line: line, valueCount: 1 + Int(first % 8)) else { return }
        var written: [UInt8] = []
        record.write(into: &written)
        if written != Array(line) + [UInt8(ascii: "\n")] { finding("a parsed line re-encodes differently: \(Array(line)) → \(written)") }
    }

    /// The first byte picks the value count; the rest is the wire payload, inflated with a 1 MiB bound.
    static func payload(_ bytes: [UInt8]) {
        guard let first = bytes.first, let decoder = try? BatchPayloadDecoder(valueCount: 1 + Int(first % 8), maximumRecordBytes: 1 << 20) else { return }
        var records: Int64 = 0
        do {
            try decoder.consume(Array(bytes.dropFirst())) { _, position in
                records += 1
                if position != records { finding("record positions skip: \(position) after \(records - 1)") }
            }
            _ = try decoder.finish()
        } catch {}
    }
}
