extension CanonicalJSON {
    /// The RFC 8785 bytes: members sorted by the UTF-16 code units of their keys, no whitespace,
    /// only the escapes JCS requires, integers in plain decimal.
    public var canonicalBytes: [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(estimatedByteCount)
        writeCanonical(into: &buffer)
        return buffer
    }

    /// The canonical bytes as text, for logs and tests; sign and hash ``canonicalBytes``.
    public var canonicalString: String {
        String(decoding: canonicalBytes, as: UTF8.self)
    }

    /// Appends the canonical bytes to `buffer`, so a caller building a larger frame (a manifest
    /// line, a signed envelope) does not copy them once more.
    public func writeCanonical(into buffer: inout [UInt8]) {
        switch self {
        case .null:
            buffer.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])  // null
        case .bool(true):
            buffer.append(contentsOf: [0x74, 0x72, 0x75, 0x65])  // true
        case .bool(false):
            buffer.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65])  // false
        case .integer(let value):
            Self.writeInteger(value, into: &buffer)
        case .string(let value):
            Self.writeString(value, into: &buffer)
        case .array(let elements):
            buffer.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { buffer.append(UInt8(ascii: ",")) }
                element.writeCanonical(into: &buffer)
            }
            buffer.append(UInt8(ascii: "]"))
        case .object(let members):
            buffer.append(UInt8(ascii: "{"))
            var first = true
            for (key, value) in members.sorted(by: { Self.keyPrecedes($0.key, $1.key) }) {
                if !first { buffer.append(UInt8(ascii: ",")) }
                first = false
                Self.writeString(key, into: &buffer)
                buffer.append(UInt8(ascii: ":"))
                value.writeCanonical(into: &buffer)
            }
            buffer.append(UInt8(ascii: "}"))
        }
    }

    /// A close lower bound of the output size (escapes add a little), so the buffer is allocated
    /// once for typical content. Native strings know their UTF-8 length, so this pass is cheap.
    var estimatedByteCount: Int {
        switch self {
        case .null, .bool: 5
        case .integer: 20
        case .string(let value): value.utf8.count + 2
        case .array(let elements): elements.reduce(2) { $0 + $1.estimatedByteCount + 1 }
        case .object(let members):
            members.reduce(2) { $0 + $1.key.utf8.count + 4 + $1.value.estimatedByteCount }
        }
    }

    static func writeInteger(_ value: Int64, into buffer: inout [UInt8]) {
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude  // Int64.min has no positive Int64 counterpart
        let start = buffer.count
        repeat {
            buffer.append(UInt8(truncatingIfNeeded: magnitude % 10) &+ 0x30)
            magnitude /= 10
        } while magnitude > 0
        buffer[start...].reverse()
    }

    /// JCS escaping: `"` `\` and the short forms \b \f \n \r \t, other C0 controls as lowercase
    /// \u00xx; everything else, including `/`, DEL and all non-ASCII text, is copied as UTF-8.
    static func writeString(_ value: String, into buffer: inout [UInt8]) {
        let copied: Void? = value.utf8.withContiguousStorageIfAvailable { bytes in writeString(utf8: bytes, into: &buffer) }
        if copied == nil {
            buffer.append(UInt8(ascii: "\""))
            for byte in value.utf8 {
                if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                    writeEscape(byte, into: &buffer)
                } else {
                    buffer.append(byte)
                }
            }
            buffer.append(UInt8(ascii: "\""))
        }
    }

    /// `writeString` of a text given as its UTF-8 bytes.
    static func writeString(utf8 bytes: UnsafeBufferPointer<UInt8>, into buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "\""))
        var runStart = 0
        for index in 0..<bytes.count {
            let byte = bytes[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
            writeEscape(byte, into: &buffer)
            runStart = index + 1
        }
        buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        buffer.append(UInt8(ascii: "\""))
    }

    @inline(__always)
    static func writeEscape(_ byte: UInt8, into buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): buffer.append(byte)
        case 0x08: buffer.append(UInt8(ascii: "b"))
        case 0x09: buffer.append(UInt8(ascii: "t"))
        case 0x0A: buffer.append(UInt8(ascii: "n"))
        case 0x0C: buffer.append(UInt8(ascii: "f"))
        case 0x0D: buffer.append(UInt8(ascii: "r"))
        default:
            @inline(__always) func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 + nibble : 0x61 + nibble - 10 }
            buffer.append(UInt8(ascii: "u"))
            buffer.append(UInt8(ascii: "0"))
            buffer.append(UInt8(ascii: "0"))
            buffer.append(hexDigit(byte >> 4))
            buffer.append(hexDigit(byte & 0xF))
        }
    }
}
