#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension POSIXFile {
    /// Makes `needed` bytes from `start` available in `buffer`, which holds the file's bytes read so far up
    /// to `end`: the unread tail moves to the front, the buffer grows for an entry longer than it, and the
    /// file is read until the bytes are there. False if the file ends first. The sequential readers of the
    /// agent's own files (snapshots, row memories) share it; each checks `end - start >= needed` first.
    func fill(_ buffer: inout UnsafeMutableRawBufferPointer, start: inout Int, end: inout Int, needed: Int) throws(LocalDataError) -> Bool {
        if start > 0 {
            let kept = end - start
            if kept > 0 { memmove(buffer.baseAddress!, buffer.baseAddress! + start, kept) }
            start = 0
            end = kept
        }
        if needed > buffer.count {
            let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: max(needed, buffer.count * 2), alignment: 8)
            if end > 0 { larger.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: end) }
            buffer.deallocate()
            buffer = larger
        }
        while end < needed {
            let n = try read(into: buffer.baseAddress! + end, count: buffer.count - end)
            if n == 0 { return false }
            end += n
        }
        return true
    }
}
