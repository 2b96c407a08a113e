#if canImport(Glibc)
import Glibc
#endif

extension String {
    /// Strict UTF-8 decoding: `nil` rather than silently replacing the bytes of a mis-encoded value.
    ///
    /// `String(decoding:)` validates on its fast path and repairs what is invalid with U+FFFD, so the
    /// decoded bytes equal the input exactly when the input was valid — one `memcmp` instead of the
    /// unspecialised generic `String(validating:as:)`, which costs more than the decoding itself.
    public init?(strictUTF8 bytes: UnsafeBufferPointer<UInt8>) {
        var text = String(decoding: bytes, as: UTF8.self)
        let intact = text.withUTF8 { decoded in
            decoded.count == bytes.count && (bytes.isEmpty || memcmp(decoded.baseAddress!, bytes.baseAddress!, bytes.count) == 0)
        }
        guard intact else { return nil }
        self = text
    }
}
