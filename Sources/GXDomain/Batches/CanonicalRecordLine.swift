/// A record's canonical line as it arrived, with where each value's JSON token lies: a strictly parsed line
/// holds each value exactly as ``CanonicalRecord/write(into:)`` would, so its tokens can be copied into
/// another canonical line without decoding and escaping them again.
public struct CanonicalRecordLine {
    /// The line, without its `"\n"`.
    public let bytes: ArraySlice<UInt8>
    /// Value `n`'s token runs from offset `tokens[2n]` to `tokens[2n + 1]` from `bytes.startIndex`.
    let tokens: [Int]

    /// Value `n`'s token (0-based): a quoted, escaped string or `null`.
    public func token(_ n: Int) -> ArraySlice<UInt8> {
        bytes[bytes.startIndex + tokens[2 * n] ..< bytes.startIndex + tokens[2 * n + 1]]
    }
}
