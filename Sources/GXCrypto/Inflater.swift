import CIsal

/// Streaming zlib-format inflate with a cap on total output, so a hostile or broken payload cannot
/// exhaust memory or disk. Reads any zlib stream, whoever deflated it (Intel ISA-L's igzip inflates about
/// two and a half times as fast as zlib here).
///
/// Not Sendable: a stream is driven by one task at a time. After any error the inflater keeps
/// reporting that error.
public final class Inflater {
    private let state: UnsafeMutablePointer<inflate_state>
    private let scratch: UnsafeMutableBufferPointer<UInt8>
    private var produced = 0
    private var failure: CompressionError?

    /// True once the stream's end marker and Adler-32 checksum have been read and checked.
    public private(set) var isFinished = false

    /// 256 KiB: few enough round trips through igzip per megabyte, small enough per open stream.
    static let scratchSize = 256 * 1024

    public init() throws(CompressionError) {
        state = .allocate(capacity: 1)
        gx_isal_inflate_init(state)
        state.pointee.crc_flag = UInt32(ISAL_ZLIB)
        scratch = .allocate(capacity: Self.scratchSize)
    }

    deinit {
        state.deallocate()
        scratch.deallocate()
    }

    /// Total bytes inflated so far.
    public var outputCount: Int { produced }

    /// Inflates `input`, appending to `output`.
    ///
    /// `limit` bounds the total output of the whole stream (across calls), not of this call; exceeding
    /// it throws `.outputLimitExceeded` before more than `limit` bytes in total have been appended.
    public func decompress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8], limit: Int) throws(CompressionError) {
        if let failure { throw failure }
        do {
            try inflate(input, into: &output, limit: limit)
        } catch {
            failure = error
            throw error
        }
    }

    public func decompress(_ input: [UInt8], into output: inout [UInt8], limit: Int) throws(CompressionError) {
        try input.withBytes { (bytes) throws(CompressionError) in try decompress(bytes, into: &output, limit: limit) }
    }

    /// Call when the input is exhausted: throws `.truncated` unless the stream ended properly.
    public func finish() throws(CompressionError) {
        if let failure { throw failure }
        guard isFinished else { throw .truncated }
    }

    private func inflate(_ input: UnsafeRawBufferPointer, into output: inout [UInt8], limit: Int) throws(CompressionError) {
        guard let base = input.baseAddress?.assumingMemoryBound(to: UInt8.self), !input.isEmpty else { return }
        guard !isFinished else { throw .trailingData(byteCount: input.count) }
        var offset = 0
        while offset < input.count {
            let piece = min(input.count - offset, Int(UInt32.max))
            state.pointee.next_in = UnsafeMutablePointer(mutating: base + offset)
            state.pointee.avail_in = UInt32(piece)
            try run(into: &output, limit: limit)
            offset += piece
            if isFinished {
                // igzip may have read whole bytes past the trailer into its bit buffer: they are unread too.
                let unread = Int(state.pointee.avail_in) + Int(state.pointee.read_in_length) / 8 + (input.count - offset)
                if unread > 0 { throw .trailingData(byteCount: unread) }
                return
            }
        }
    }

    /// Inflates until igzip has used all input, the stream ends, or the limit is passed.
    private func run(into output: inout [UInt8], limit: Int) throws(CompressionError) {
        while true {
            // One byte more room than the limit allows, so overrunning it is seen without inflating more.
            let room = max(0, limit - produced)
            let capacity = min(scratch.count, room == Int.max ? room : room + 1)
            let before = state.pointee.avail_in
            state.pointee.next_out = scratch.baseAddress
            state.pointee.avail_out = UInt32(capacity)
            let status = isal_inflate(state)
            let count = capacity - Int(state.pointee.avail_out)
            if produced + count > limit { throw .outputLimitExceeded(limit: limit) }
            switch status {
            case ISAL_DECOMP_OK, ISAL_END_INPUT, ISAL_OUT_OVERFLOW:
                if count > 0 { output.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[..<count])) }
                produced += count
            case ISAL_NEED_DICT:
                throw .corrupt(reason: "the stream needs a preset dictionary, which gx never uses")
            default:
                throw .corrupt(reason: Self.describe(status))
            }
            if state.pointee.block_state == ISAL_BLOCK_FINISH {
                isFinished = true
                return
            }
            // Spare output room with all input taken: igzip needs more input to go on.
            if state.pointee.avail_in == 0 && state.pointee.avail_out != 0 { return }
            // Room to spare and input left, yet nothing taken or made: never spin.
            if state.pointee.avail_out != 0 && count == 0 && state.pointee.avail_in == before {
                throw .corrupt(reason: "the stream makes no progress")
            }
        }
    }

    private static func describe(_ status: Int32) -> String {
        switch status {
        case ISAL_INVALID_BLOCK: "invalid deflate block"
        case ISAL_INVALID_SYMBOL: "invalid deflate symbol"
        case ISAL_INVALID_LOOKBACK: "invalid lookback distance"
        case ISAL_INVALID_WRAPPER: "invalid zlib header"
        case ISAL_UNSUPPORTED_METHOD: "the zlib header names a method other than deflate"
        case ISAL_INCORRECT_CHECKSUM: "incorrect header or Adler-32 checksum"
        default: "inflate failed with code \(status)"
        }
    }
}
