#if canImport(Glibc)
import Glibc
#endif

/// Named places where crash tests kill the process outright (SIGKILL: no cleanup, no flush), to prove
/// that a run resumed afterwards loses and doubles nothing. Inert unless `GX_CRASH_AT` names the point;
/// `GX_CRASH_AFTER=n` lets the point pass n times first.
public enum CrashPoint {
    private static let target: String? = getenv("GX_CRASH_AT").map { String(cString: $0) }
    nonisolated(unsafe) private static var remaining: Int = getenv("GX_CRASH_AFTER").flatMap { Int(String(cString: $0)) } ?? 0

    public static func reached(_ name: String) {
        guard let target, target == name else { return }
        if remaining > 0 {
            remaining -= 1
            return
        }
        kill(getpid(), SIGKILL)
    }
}
