import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process whose wall time, CPU time and peak resident memory we report: spawned directly
/// (posix_spawn), reaped with wait4 for its CPU time. Its peak memory is sampled from `/proc` (VmHWM) while it
/// runs: Linux starts a spawned child's `ru_maxrss` at its parent's peak (exec records the old address space's
/// high-water mark), so after the benchmark itself held 900 MB every child's rusage said 900 MB.
struct MeasuredProcess {
    struct Outcome: Sendable {
        var status: Int32
        var seconds: Double
        /// Peak resident set of the process (and, for a shell, the largest of its descendants), bytes, sampled
        /// at spawn and then every 10 ms (50 ms after the first 200 ms) while it ran.
        var peakRSS: Int64
        /// User plus system CPU time of the process (and the children it waited for), seconds.
        var cpuSeconds: Double
    }

    let pid: pid_t
    let started: ContinuousClock.Instant
    let command: String
    /// VmHWM read as soon as the child exists (posix_spawn returns once it has exec'd): a process that ends
    /// before the waiting thread's first sample still reports its own size, never 0 or its parent's.
    var firstHighWater: Int64 = 0

    /// Starts `executable` with `arguments`, its standard output and error appended to `log`.
    static func start(_ executable: String, _ arguments: [String], log: String, environment: [String: String] = [:]) throws -> MeasuredProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        // Threads of the concurrency pool may block signals, and a spawned child inherits the mask: clear it,
        // or the child never sees our SIGTERM.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard status == 0 else {
            throw CLIError("cannot start \(executable): \(String(cString: strerror(status)))")
        }
        var process = MeasuredProcess(pid: pid, started: .now, command: ([executable] + arguments).joined(separator: " "))
        process.firstHighWater = HighWaterWatch.highWater(of: pid) ?? 0
        return process
    }

    /// Waits for the process to end. Blocks the calling thread: run it from a detached task.
    func wait() -> Outcome {
        var status: Int32 = 0
        var usage = rusage()
        var watch = HighWaterWatch(root: pid, first: firstHighWater)
        var polls = 0
        while true {
            watch.sample(rescan: polls % 10 == 0)
            polls += 1
            let reaped = wait4(pid, &status, WNOHANG, &usage)
            if reaped == pid || (reaped < 0 && errno != EINTR) { break }
            usleep(polls < 20 ? 10_000 : 50_000)  // finely at first: short processes
        }
        let elapsed = ContinuousClock.now - started
        let exit: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Outcome(status: exit, seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
                       // A process that ended before even the read at spawn (a few milliseconds on a loaded machine)
                       // has only the kernel's figure, which may be the parent's peak: better high than nothing.
                       peakRSS: watch.peak > 0 ? watch.peak : Int64(usage.ru_maxrss) * 1024,
                       cpuSeconds: Self.seconds(usage.ru_utime) + Self.seconds(usage.ru_stime))
    }

    private static func seconds(_ time: timeval) -> Double {
        Double(time.tv_sec) + Double(time.tv_usec) / 1e6
    }

    /// CPU time (user + system) the still running process has used so far, from `/proc/<pid>/stat`; for a
    /// server measured phase by phase.
    func cpuSecondsSoFar() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after the command name, which may hold spaces: state is field 3, utime 14 and stime 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Whether the process has exited (and waits to be reaped by `wait`), from `/proc/<pid>/stat`.
    func hasEnded() -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(after: close)...].split(separator: " ").first == "Z"
    }

    /// Asks the process to stop (SIGTERM) and waits for it.
    func terminate() -> Outcome {
        kill(pid, SIGTERM)
        return wait()
    }

    /// Runs to completion; a non-zero exit is an error quoting the end of the log.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], log: String, environment: [String: String] = [:]) async throws -> Outcome {
        let process = try start(executable, arguments, log: log, environment: environment)
        // wait4 blocks: on a thread of its own, not one of the cooperative pool's (one per core).
        let outcome = await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: process.wait()) }.start()
        }
        guard outcome.status == 0 else {
            let tail = (try? String(contentsOfFile: log, encoding: .utf8)).map { String($0.suffix(2000)) } ?? ""
            throw CLIError("`\(process.command)` exited with status \(outcome.status); the end of \(log):\n\(tail)")
        }
        return outcome
    }
}
