import CMemory
import CSQLiteSettings
import GXCLI
#if canImport(Glibc)
import Glibc
#endif

@main
struct GX {
    static func main() async {
        clearInheritedSignalMask()
        limitMallocArenas()
        // Before any database opens: SQLite's memory statistics cost a process-wide mutex per allocation.
        _ = gx_sqlite_stop_memory_statistics()
        await GXCommand.main()
    }

    /// glibc gives each thread that allocates its own arena, up to eight per core, and keeps what they freed:
    /// a verification's merge reads a dozen sorted runs, each on a thread of its own, and its peak memory grew
    /// by a third in arenas alone (191 → 251 MB at 10 M records). One arena per core holds it (165 MB) at no
    /// measurable cost in speed. `MALLOC_ARENA_MAX` in the environment still decides when it is set.
    static func limitMallocArenas() {
        #if canImport(Glibc)
        guard getenv("MALLOC_ARENA_MAX") == nil else { return }
        let cores = Int32(clamping: sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        _ = gx_limit_malloc_arenas(max(2, cores))
        #endif
    }

    /// A scheduler or test harness may start us with signals blocked (spawned from a thread that had
    /// them masked); the hub and the agent must still stop gracefully on SIGTERM and SIGINT.
    static func clearInheritedSignalMask() {
        var none = sigset_t()
        sigemptyset(&none)
        sigprocmask(SIG_SETMASK, &none, nil)
    }
}
