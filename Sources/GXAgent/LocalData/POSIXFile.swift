#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A raw file descriptor: `read(2)`/`write(2)` in large chunks keep the CSV paths free of per-call
/// Foundation overhead, and `fsync` + `rename` give the sinks their all-or-nothing file replacement.
final class POSIXFile {
    let path: String
    private var descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        if descriptor >= 0 { _ = systemClose(descriptor) }
    }

    static func openForReading(_ path: String) throws(LocalDataError) -> POSIXFile {
        let fd = systemOpen(path, O_RDONLY | O_CLOEXEC, 0)
        guard fd >= 0 else { throw failure(path, "cannot open for reading") }
        return POSIXFile(path: path, descriptor: fd)
    }

    /// Creates or truncates `path` for writing (mode 0644, or 0600 for files holding agency data).
    static func createForWriting(_ path: String, mode: mode_t = 0o644) throws(LocalDataError) -> POSIXFile {
        let fd = systemOpen(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw failure(path, "cannot create") }
        return POSIXFile(path: path, descriptor: fd)
    }

    /// Creates or truncates `path` for writing and reading back at offsets (`pread(2)`).
    static func createForReadingAndWriting(_ path: String, mode: mode_t) throws(LocalDataError) -> POSIXFile {
        let fd = systemOpen(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw failure(path, "cannot create") }
        return POSIXFile(path: path, descriptor: fd)
    }

    /// Reads exactly `count` bytes at `offset` without moving the file position; a short file is an error.
    func read(into buffer: UnsafeMutableRawPointer, count: Int, at offset: Int) throws(LocalDataError) {
        var done = 0
        while done < count {
            let n = pread(descriptor, buffer + done, count - done, off_t(offset + done))
            if n > 0 {
                done += n
            } else if n == 0 {
                throw LocalDataError(location: path, reason: "ends before byte \(offset + count)")
            } else if errno != EINTR {
                throw Self.failure(path, "read failed")
            }
        }
    }

    /// Reads up to `count` bytes; 0 means end of file.
    func read(into buffer: UnsafeMutableRawPointer, count: Int) throws(LocalDataError) -> Int {
        while true {
            let n = systemRead(descriptor, buffer, count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw Self.failure(path, "read failed")
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(LocalDataError) {
        guard var base = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let n = systemWrite(descriptor, base, remaining)
            if n < 0 {
                if errno == EINTR { continue }
                throw Self.failure(path, "write failed")
            }
            base += n
            remaining -= n
        }
    }

    /// Writes `bytes` at `offset` without moving the file position (`pwrite(2)`).
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(LocalDataError) {
        guard var base = bytes.baseAddress else { return }
        var remaining = bytes.count
        var position = offset
        while remaining > 0 {
            let n = pwrite(descriptor, base, remaining, off_t(position))
            if n < 0 {
                if errno == EINTR { continue }
                throw Self.failure(path, "write failed")
            }
            base += n
            remaining -= n
            position += n
        }
    }

    func sync() throws(LocalDataError) {
        guard fsync(descriptor) == 0 else { throw Self.failure(path, "fsync failed") }
    }

    func close() throws(LocalDataError) {
        let fd = descriptor
        descriptor = -1
        guard systemClose(fd) == 0 else { throw Self.failure(path, "close failed") }
    }

    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// Atomically replaces `destination` with `source` (same directory, so same file system).
    static func rename(_ source: String, over destination: String) throws(LocalDataError) {
        guard systemRename(source, destination) == 0 else {
            throw failure(destination, "cannot rename \(source) over it")
        }
    }

    /// Removes `path`; a file already gone is no error.
    static func removeIfPresent(_ path: String) throws(LocalDataError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw failure(path, "cannot remove it") }
    }

    /// Makes a completed rename durable: the directory entry itself must reach the disk.
    static func syncDirectory(containing path: String) throws(LocalDataError) {
        let directory = directoryName(of: path)
        let fd = systemOpen(directory, O_RDONLY | O_CLOEXEC, 0)
        guard fd >= 0 else { throw failure(directory, "cannot open directory to fsync it") }
        defer { _ = systemClose(fd) }
        guard fsync(fd) == 0 else { throw failure(directory, "fsync of directory failed") }
    }

    static func directoryName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private static func failure(_ path: String, _ what: String) -> LocalDataError {
        let code = errno
        return LocalDataError(location: path, reason: "\(what): \(String(cString: strerror(code)))")
    }
}

// The C calls under names that don't collide with this type's methods.
private func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { open(path, flags, mode) }
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { read(fd, buffer, count) }
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { write(fd, buffer, count) }
private func systemClose(_ fd: Int32) -> Int32 { close(fd) }
private func systemRename(_ from: String, _ to: String) -> Int32 { rename(from, to) }
