import Foundation

/// Slows guessing: after a few failed sign-ins from one client address, further attempts from it are
/// refused unheard for a while that doubles with every failure (up to 15 minutes). A success clears it.
/// Kept per hub process: tokens carry 256 random bits, so this bounds noise in the audit log more than it
/// protects the tokens.
actor SignInThrottle {
    static let freeAttempts = 5
    static let maximumWait: TimeInterval = 15 * 60
    /// Failures older than this are forgotten.
    static let memory: TimeInterval = 60 * 60

    private var failures: [String: (count: Int, last: Date)] = [:]

    /// How long `address` must still wait before it may try again, or nil.
    func wait(for address: String, at time: Date) -> TimeInterval? {
        guard let record = failures[address] else { return nil }
        if time.timeIntervalSince(record.last) > Self.memory { failures[address] = nil; return nil }
        guard record.count >= Self.freeAttempts else { return nil }
        let wait = min(pow(2, Double(record.count - Self.freeAttempts)), Self.maximumWait)
        let remaining = record.last.addingTimeInterval(wait).timeIntervalSince(time)
        return remaining > 0 ? remaining : nil
    }

    func failed(_ address: String, at time: Date) {
        let count = (failures[address].map { time.timeIntervalSince($0.last) > Self.memory ? 0 : $0.count } ?? 0) + 1
        failures[address] = (count, time)
        if failures.count > 100_000 { failures = failures.filter { time.timeIntervalSince($0.value.last) <= Self.memory } }
    }

    func succeeded(_ address: String) { failures[address] = nil }
}
