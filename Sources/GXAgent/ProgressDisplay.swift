import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Shows long work as it goes: on a terminal one line rewritten in place (records and MB per second,
/// and the ETA when the total is known); otherwise a plain log line every ten seconds, for schedulers'
/// logs.
final class ProgressDisplay {
    private let label: String
    private let total: Int64?
    private let logger: Logger
    private let started = Date()
    private var lastShown = Date.distantPast
    private var records: Int64 = 0
    private var bytes: Int64 = 0
    private let onTerminal = isatty(STDERR_FILENO) == 1

    init(_ label: String, total: Int64? = nil, logger: Logger) {
        self.label = label
        self.total = total
        self.logger = logger
    }

    func advance(records: Int64 = 1, bytes: Int64 = 0) {
        self.records += records
        self.bytes += bytes
        guard self.records & 0x3FF == 0 else { return }
        let now = Date()
        guard now.timeIntervalSince(lastShown) >= (onTerminal ? 0.5 : 10) else { return }
        lastShown = now
        show(final: false)
    }

    /// Ends the line on a terminal.
    func finish() {
        if onTerminal, lastShown != .distantPast {
            show(final: true)
            FileHandle.standardError.write(Data("\n".utf8))
        }
    }

    private func show(final: Bool) {
        let seconds = max(Date().timeIntervalSince(started), 0.001)
        let rate = Double(records) / seconds
        var text = "\(label): \(records)" + (total.map { "/\($0)" } ?? "") + " records, \(Int(rate)) records/s"
        if bytes > 0 { text += String(format: ", %.1f MB/s", Double(bytes) / seconds / 1_000_000) }
        if let total, rate > 0, !final {
            let remaining = Int(Double(max(total - records, 0)) / rate)
            text += String(format: ", ETA %d:%02d", remaining / 60, remaining % 60)
        }
        if onTerminal {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
        } else {
            logger.info("\(text)")
        }
    }
}
