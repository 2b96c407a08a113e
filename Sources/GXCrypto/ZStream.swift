import CZlib

/// A `z_stream` at a fixed heap address, plus an output scratch buffer.
///
/// zlib records the stream's address at init and refuses calls made through any other address, so the
/// struct cannot live in a Swift stored property (whose address is not guaranteed to be stable).
struct ZStream {
    let pointer: UnsafeMutablePointer<z_stream>
    let scratch: UnsafeMutableBufferPointer<Bytef>

    /// 256 KiB: few enough round trips through zlib per megabyte, small enough per open stream.
    static let scratchSize = 256 * 1024

    /// Allocates and runs `initialise` (deflateInit/inflateInit); frees everything again if it fails.
    static func make(_ operation: String, scratchSize: Int = scratchSize, _ initialise: (UnsafeMutablePointer<z_stream>) -> Int32) throws(CompressionError) -> ZStream {
        let pointer = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        pointer.initialize(to: z_stream())
        let status = initialise(pointer)
        guard status == Z_OK else {
            let message = pointer.pointee.msg.map { String(cString: $0) } ?? "zlib \(String(cString: zlibVersion()))"
            pointer.deinitialize(count: 1)
            pointer.deallocate()
            throw .zlib(operation: operation, code: status, message: message)
        }
        return ZStream(pointer: pointer, scratch: .allocate(capacity: scratchSize))
    }

    /// Frees the memory; call after deflateEnd/inflateEnd.
    func deallocate() {
        pointer.deinitialize(count: 1)
        pointer.deallocate()
        scratch.deallocate()
    }

    /// Points zlib at the scratch buffer, `capacity` bytes of it at most.
    func resetOutput(capacity: Int? = nil) {
        pointer.pointee.next_out = scratch.baseAddress
        pointer.pointee.avail_out = uInt(capacity ?? scratch.count)
    }

    /// Appends what zlib wrote into scratch since `resetOutput(capacity:)`; returns the count.
    @discardableResult
    func drainOutput(capacity: Int? = nil, into output: inout [UInt8]) -> Int {
        let produced = (capacity ?? scratch.count) - Int(pointer.pointee.avail_out)
        if produced > 0 { output.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[..<produced])) }
        return produced
    }

    var message: String? { pointer.pointee.msg.map { String(cString: $0) } }

    /// zlib counts input in 32-bit units; larger buffers are fed in pieces of at most this size.
    static let maximumInputPiece = Int(uInt.max)
}
