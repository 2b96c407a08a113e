import CZlib

/// Streaming zlib-format deflate (RFC 1950: header, deflate data, Adler-32): compresses a batch chunk
/// by chunk, never holding it whole. Output inflates with any zlib (`zlib.decompress` in Python).
///
/// Not Sendable: a stream is driven by one task at a time.
public final class Deflater {
    private let stream: ZStream
    private var finished = false

    /// Level 1 is the default: measured here at ≈ 75 MB/s for a 3.3× ratio, against ≈ 24 MB/s for 4.1×
    /// at level 6 — for nightly batches the time matters more than the last 20 %.
    /// `outputBuffer` is the room zlib writes into before its output is appended: smaller for the hub's many
    /// simultaneous delivery projections.
    public init(level: Int32 = 1, outputBuffer: Int = 256 * 1024) throws(CompressionError) {
        guard level == Z_DEFAULT_COMPRESSION || (0...9).contains(level) else { throw .invalidLevel(level) }
        stream = try ZStream.make("deflateInit", scratchSize: max(outputBuffer, 4096)) { gx_deflateInit($0, level) }
    }

    deinit {
        deflateEnd(stream.pointer)
        stream.deallocate()
    }

    /// Compresses `input`, appending whatever zlib emits to `output` (possibly nothing yet: zlib buffers).
    public func compress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(CompressionError) {
        guard !finished else { throw .alreadyFinished }
        guard let base = input.baseAddress?.assumingMemoryBound(to: Bytef.self), !input.isEmpty else { return }
        var offset = 0
        while offset < input.count {
            let piece = min(input.count - offset, ZStream.maximumInputPiece)
            stream.pointer.pointee.next_in = UnsafeMutablePointer(mutating: base + offset)
            stream.pointer.pointee.avail_in = uInt(piece)
            try run(flush: Z_NO_FLUSH, into: &output)
            offset += piece
        }
    }

    public func compress(_ input: [UInt8], into output: inout [UInt8]) throws(CompressionError) {
        try input.withBytes { (bytes) throws(CompressionError) in try compress(bytes, into: &output) }
    }

    /// Writes the last block and the Adler-32 trailer. Calling it again does nothing.
    public func finish(into output: inout [UInt8]) throws(CompressionError) {
        guard !finished else { return }
        stream.pointer.pointee.next_in = nil
        stream.pointer.pointee.avail_in = 0
        try run(flush: Z_FINISH, into: &output)
        finished = true
    }

    /// Starts a new, independent stream with the same level, reusing zlib's ≈ 256 KiB of state.
    public func reset() {
        deflateReset(stream.pointer)
        finished = false
    }

    /// Feeds zlib until it has taken all input (or, for Z_FINISH, ended the stream).
    private func run(flush: Int32, into output: inout [UInt8]) throws(CompressionError) {
        while true {
            stream.resetOutput()
            let status = deflate(stream.pointer, flush)
            // Z_BUF_ERROR only means "no progress possible" and is not fatal; anything else is misuse.
            guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                throw .zlib(operation: "deflate", code: status, message: stream.message ?? "stream state is inconsistent")
            }
            let produced = stream.drainOutput(into: &output)
            if status == Z_STREAM_END { return }
            if status == Z_BUF_ERROR && produced == 0 {
                // With fresh output room this cannot happen; never spin on it.
                guard flush != Z_FINISH else {
                    throw .zlib(operation: "deflate", code: status, message: "no progress while finishing the stream")
                }
                return
            }
            // Spare output room means zlib consumed all input and flushed what the flush mode asks for.
            if stream.pointer.pointee.avail_out != 0 && flush != Z_FINISH { return }
        }
    }
}
