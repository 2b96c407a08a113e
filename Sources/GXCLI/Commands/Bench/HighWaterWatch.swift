import Foundation

/// The peak resident memory of a process and its descendants, read from `/proc/PID/status` (VmHWM: the
/// address space's own high-water mark since exec). Sampled while the process runs, because once it has
/// exited the kernel reports only `ru_maxrss`, which for a spawned child starts at the parent's peak.
struct HighWaterWatch {
    let root: pid_t
    private(set) var peak: Int64 = 0
    /// The root and the descendants found so far (found again every few samples: `sort` started by a script).
    private var watched: Set<pid_t>

    /// `first`: a reading taken earlier (at spawn), so the peak is never below it.
    init(root: pid_t, first: Int64 = 0) {
        self.root = root
        peak = first
        watched = [root]
    }

    /// Reads each watched process's VmHWM; with `rescan`, first looks for new descendants.
    mutating func sample(rescan: Bool) {
        if rescan { watched.formUnion(Self.descendants(of: root)) }
        for pid in watched {
            if let bytes = Self.highWater(of: pid) { peak = max(peak, bytes) } else if pid != root { watched.remove(pid) }
        }
    }

    /// VmHWM of a live process, in bytes; nil once it has exited.
    static func highWater(of pid: pid_t) -> Int64? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Int64(line.dropFirst(6).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "") else { return nil }
        return kilobytes * 1024
    }

    /// Every process whose chain of parents leads to `root`.
    static func descendants(of root: pid_t) -> Set<pid_t> {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        var children: [pid_t: [pid_t]] = [:]
        for entry in entries {
            guard let pid = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            // After the command name: state, then the parent's pid.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let parent = pid_t(fields[1]) { children[parent, default: []].append(pid) }
        }
        var found: Set<pid_t> = []
        var queue = [root]
        while let next = queue.popLast() {
            for child in children[next] ?? [] where found.insert(child).inserted { queue.append(child) }
        }
        return found
    }
}
