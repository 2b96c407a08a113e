import Foundation

/// The CPU seconds a local PostgreSQL server spends, read from `/proc`: during a load both cores are busy,
/// so the server's own work (parsing COPY, its indexes, its WAL) shares the machine with the exchange's
/// processes and the script's alike, and a night's wall time cannot fall below half of everything's CPU.
///
/// The postmaster's children are its backends and background workers. Between two readings, the CPU of a
/// child alive at both is its difference; of one that ended meanwhile, what it used before the first reading
/// is subtracted and its total comes back in the postmaster's reaped-children time: so the difference of two
/// readings is the server's CPU in between, whichever connections came and went.
struct ServerCPU: Sendable {
    let postmaster: Int32

    /// The server's postmaster, if it runs on this machine: the parent of its checkpointer, which
    /// `pg_stat_activity` names to any user. Nil for a remote server or when anything does not add up.
    static func locate(database: String, environment: [String: String], scratch: URL) async -> ServerCPU? {
        let output = scratch.appendingPathComponent("server-pid.out").path
        try? FileManager.default.removeItem(atPath: output)
        guard (try? await MeasuredProcess.run("/usr/bin/env", ["psql", database, "-Atc", "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'"],
                                               log: output, environment: environment)) != nil,
              let text = try? String(contentsOfFile: output, encoding: .utf8),
              let checkpointer = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)),
              let fields = Self.stat(checkpointer), fields.count > 1, let parent = Int32(fields[1]), Self.stat(parent) != nil else { return nil }
        return ServerCPU(postmaster: parent)
    }

    /// The server's CPU seconds so far (see the type's comment); nil once the postmaster is gone.
    func seconds() -> Double? {
        guard let own = Self.stat(postmaster), own.count > 14 else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        // After the state: ppid is field 1, utime 11, stime 12, cutime 13, cstime 14.
        var total = own[11...14].compactMap { Double($0) }.reduce(0, +)
        let parent = String(postmaster)
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), pid != postmaster, let fields = Self.stat(pid), fields.count > 12, fields[1] == parent else { continue }
            total += (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)
        }
        return total / ticks
    }

    /// `/proc/PID/stat`'s fields after the command's closing parenthesis (the command may hold spaces):
    /// state first, then ppid, … (`proc(5)` numbering minus 3).
    private static func stat(_ pid: Int32) -> [Substring]? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        return text[text.index(after: close)...].split(separator: " ")
    }
}
