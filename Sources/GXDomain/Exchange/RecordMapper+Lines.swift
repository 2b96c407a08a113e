/// One value of an incoming record mapped to a local column, handed to the consumer's sink without making a
/// `String` where the value's bytes will do.
public enum IncomingValue {
    case null
    /// The value's UTF-8 bytes, exactly: the inside of a canonical string token that holds no escape, in
    /// place in the line. Valid only during the call that hands it over.
    case bytes(UnsafeRawBufferPointer)
    case text(String)
}

extension RecordMapper {
    /// Maps an incoming record from its checked line, column by column, giving the same values as decoding
    /// the line and calling ``map(_:)`` — and the same ``RecordViolation``s. A column that copies its item
    /// (no codes, no conversion) from a string without escapes gets the token's bytes; every other value is
    /// decoded and mapped as `map` does. `column` receives each local column's index and value, in order.
    public func mapIncoming(_ line: CanonicalRecordLine, _ column: (Int, IncomingValue) throws -> Void) throws {
        precondition(direction == .incoming, "mapIncoming maps catalogue items to local columns")
        guard line.valueCount == inputs.count else {
            throw RecordViolation(item: "record", rule: "\(line.valueCount) items, expected \(inputs.count)", value: nil)
        }
        try line.withBytes { bytes in
            for index in plainSources.indices {
                let source = plainSources[index]
                if source >= 0 {
                    let token = line.tokenRange(source)
                    if bytes[token.lowerBound] == UInt8(ascii: "\""),
                       !UnsafeRawBufferPointer(rebasing: bytes[token]).contains(UInt8(ascii: "\\")) {
                        try column(index, .bytes(UnsafeRawBufferPointer(rebasing: bytes[token.lowerBound + 1 ..< token.upperBound - 1])))
                        continue
                    }
                }
                let step = steps[index]
                let mapped = try step.incoming(value: step.source.flatMap { line.value($0) })
                try column(index, mapped.map { .text($0) } ?? .null)
            }
        }
    }
}
