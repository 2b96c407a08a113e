import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock on `state_dir/agent.lock`, so two runs of one agent (a slow night and the next
/// timer, or an operator's manual run) never overlap. Released when the process ends, even by a crash.
final class AgentRunLock {
    private let fd: Int32

    init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/agent.lock"
        fd = open(path, O_RDWR | O_CREAT, 0o600)
        guard fd >= 0 else { throw AgentError.localData("cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw AgentError.locked(path: path)
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
