/// An SM3 digest (GB/T 32905): 32 bytes, shown as lowercase hex exactly as `openssl dgst -sm3` prints it.
public struct SM3Digest: Sendable, Hashable, CustomStringConvertible {
    public static let byteCount = 32

    public let bytes: [UInt8]

    /// Nil unless `bytes` holds exactly 32 bytes.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = Array(bytes)
    }

    /// Accepts 64 hex digits in either case (other tools print upper case); nil for anything else.
    public init?(hex: String) {
        var utf8 = hex.utf8.makeIterator()
        var bytes = [UInt8]()
        bytes.reserveCapacity(Self.byteCount)
        while let high = utf8.next() {
            guard let hi = Self.nibble(high), let low = utf8.next(), let lo = Self.nibble(low),
                  bytes.count < Self.byteCount else { return nil }
            bytes.append(hi << 4 | lo)
        }
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = bytes
    }

    /// For digests OpenSSL just wrote: the length is already known to be right.
    init(unchecked bytes: [UInt8]) {
        self.bytes = bytes
    }

    public var hex: String {
        String(unsafeUninitializedCapacity: 2 * bytes.count) { out in
            for (i, byte) in bytes.enumerated() {
                out[2 * i] = Self.digits[Int(byte >> 4)]
                out[2 * i + 1] = Self.digits[Int(byte & 0x0F)]
            }
            return 2 * bytes.count
        }
    }

    public var description: String { hex }

    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
