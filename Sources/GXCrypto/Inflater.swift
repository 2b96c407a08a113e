import CZlib

/// Streaming zlib-format inflate with a cap on total output, so a hostile or broken payload cannot
/// exhaust memory or disk.
///
/// Not Sendable: a stream is driven by one task at a time. After any error the inflater keeps
/// reporting that error.
public final class Inflater {
    private let stream: ZStream
    private var produced = 0
    private var failure: CompressionError?

    /// True once the stream's end marker and Adler-32 checksum have been read and checked.
    public private(set) var isFinished = false

    public init() throws(CompressionError) {
        stream = try ZStream.make("inflateInit") { gx_inflateInit($0) }
    }

    deinit {
        inflateEnd(stream.pointer)
        stream.deallocate()
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
        guard let base = input.baseAddress?.assumingMemoryBound(to: Bytef.self), !input.isEmpty else { return }
        guard !isFinished else { throw .trailingData(byteCount: input.count) }
        var offset = 0
        while offset < input.count {
            let piece = min(input.count - offset, ZStream.maximumInputPiece)
            stream.pointer.pointee.next_in = UnsafeMutablePointer(mutating: base + offset)
            stream.pointer.pointee.avail_in = uInt(piece)
            try run(into: &output, limit: limit)
            offset += piece
            if isFinished {
                let unread = Int(stream.pointer.pointee.avail_in) + (input.count - offset)
                if unread > 0 { throw .trailingData(byteCount: unread) }
                return
            }
        }
    }

    /// Inflates until zlib has used all input, the stream ends, or the limit is passed.
    private func run(into output: inout [UInt8], limit: Int) throws(CompressionError) {
        while true {
            // One byte more room than the limit allows, so overrunning it is seen without inflating more.
            let room = max(0, limit - produced)
            let capacity = min(ZStream.scratchSize, room == Int.max ? room : room + 1)
            stream.resetOutput(capacity: capacity)
            let status = CZlib.inflate(stream.pointer, Z_NO_FLUSH)
            let count = capacity - Int(stream.pointer.pointee.avail_out)
            if produced + count > limit { throw .outputLimitExceeded(limit: limit) }
            switch status {
            case Z_OK, Z_STREAM_END, Z_BUF_ERROR:
                stream.drainOutput(capacity: capacity, into: &output)
                produced += count
            case Z_DATA_ERROR:
                throw .corrupt(reason: stream.message ?? "invalid deflate data")
            case Z_NEED_DICT:
                throw .corrupt(reason: "the stream needs a preset dictionary, which gx never uses")
            default:
                throw .zlib(operation: "inflate", code: status, message: stream.message ?? "")
            }
            if status == Z_STREAM_END {
                isFinished = true
                return
            }
            // Z_BUF_ERROR: no progress possible until more input arrives.
            if status == Z_BUF_ERROR { return }
            // Spare output room with all input taken: zlib needs more input to go on.
            if stream.pointer.pointee.avail_in == 0 && stream.pointer.pointee.avail_out != 0 { return }
        }
    }
}
