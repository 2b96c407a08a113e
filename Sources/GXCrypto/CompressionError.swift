/// Why a deflate stream could not be written or read.
public enum CompressionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Levels are 0 (fastest) … 3 (smallest), as igzip offers them.
    case invalidLevel(Int32)
    /// The compressed bytes are not a valid zlib-format stream (bad header, bad block, checksum mismatch).
    case corrupt(reason: String)
    /// Inflating would produce more than `limit` bytes in total: a decompression bomb or a payload
    /// bigger than its declared size.
    case outputLimitExceeded(limit: Int)
    /// The input ended before the stream's end marker and checksum.
    case truncated
    /// Bytes follow the end of the compressed stream.
    case trailingData(byteCount: Int)
    /// `compress` after `finish`: a finished stream cannot take more input.
    case alreadyFinished
    /// The compression library itself failed (misuse, inconsistent state); `code` is its return value.
    case library(operation: String, code: Int32, message: String)

    public var description: String {
        switch self {
        case let .invalidLevel(level):
            return "compression level \(level) is not valid; use 0 (fastest) to 3 (smallest)"
        case let .corrupt(reason):
            return "the compressed data is corrupt (\(reason)); have the sender compress and send it again"
        case let .outputLimitExceeded(limit):
            return "the compressed data inflates to more than \(limit) bytes, the limit for this payload; "
                + "refused as a possible decompression bomb (raise the limit only if the payload is genuinely that large)"
        case .truncated:
            return "the compressed data ends before the end of its stream: the payload was cut short; fetch or send it again"
        case let .trailingData(count):
            return "\(count) unexpected bytes follow the end of the compressed stream; the payload is not a single zlib stream"
        case .alreadyFinished:
            return "the deflate stream was already finished; start a new Deflater (or call reset()) for more data"
        case let .library(operation, code, message):
            return "\(operation) failed (code \(code)): \(message)"
        }
    }
}
