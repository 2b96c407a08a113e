extension CanonicalRecord {
    /// Appends the one deterministic encoding: a JSON array without whitespace, `["u","v1",null,...]`,
    /// strings escaped as RFC 8785 does, terminated by `"\n"`. Same record → same bytes on every machine.
    ///
    /// Written by hand into the caller's buffer because this runs once per record of every batch;
    /// the escaping is ``CanonicalJSON``'s, so a record line is also valid canonical JSON.
    public func write(into buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "["))
        buffer.append(UInt8(ascii: "\""))
        buffer.append(operation.codeByte)
        buffer.append(UInt8(ascii: "\""))
        for value in values {
            buffer.append(UInt8(ascii: ","))
            if let value {
                CanonicalJSON.writeString(value, into: &buffer)
            } else {
                buffer.append(contentsOf: Self.nullBytes)
            }
        }
        buffer.append(UInt8(ascii: "]"))
        buffer.append(UInt8(ascii: "\n"))
    }

    /// `write(into:)`, returning how many bytes the first `leading` values take in the line (the commas
    /// between them included, from just after `["u",`): a verification sorts and matches on those bytes.
    public func write(into buffer: inout [UInt8], measuringLeading leading: Int) -> Int {
        let start = buffer.count + 5
        var leadingEnd = start
        buffer.append(UInt8(ascii: "["))
        buffer.append(UInt8(ascii: "\""))
        buffer.append(operation.codeByte)
        buffer.append(UInt8(ascii: "\""))
        for (index, value) in values.enumerated() {
            buffer.append(UInt8(ascii: ","))
            if let value {
                CanonicalJSON.writeString(value, into: &buffer)
            } else {
                buffer.append(contentsOf: Self.nullBytes)
            }
            if index == leading - 1 { leadingEnd = buffer.count }
        }
        buffer.append(UInt8(ascii: "]"))
        buffer.append(UInt8(ascii: "\n"))
        return leadingEnd - start
    }

    /// The encoding of this record alone, newline included.
    public var canonicalLine: [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(values.reduce(8) { $0 + ($1?.utf8.count ?? 4) + 3 })
        write(into: &buffer)
        return buffer
    }

    static let nullBytes: [UInt8] = Array("null".utf8)
}
