import CSQLiteSettings
import GXCLI
#if canImport(Glibc)
import Glibc
#endif

@main
struct GX {
    static func main() async {
        clearInheritedSignalMask()
        // Before any database opens: SQLite's memory statistics cost a process-wide mutex per allocation.
        _ = gx_sqlite_stop_memory_statistics()
        await GXCommand.main()
    }

    /// A scheduler or test harness may start us with signals blocked (spawned from a thread that had
    /// them masked); the hub and the agent must still stop gracefully on SIGTERM and SIGINT.
    static func clearInheritedSignalMask() {
        var none = sigset_t()
        sigemptyset(&none)
        sigprocmask(SIG_SETMASK, &none, nil)
    }
}
