import GXCrypto

/// A kept payload opened for streaming, its seal checked: the plaintext, `size` bytes long.
///
/// Not Sendable: one payload, read by one task at a time.
public protocol PayloadReader: AnyObject {
    /// The plaintext's length in bytes.
    var size: Int64 { get }
    /// The next bytes, at most `count`; empty at the end.
    func read(upTo count: Int) async throws -> [UInt8]
    func close()
}

extension PayloadFileReader: PayloadReader {}
