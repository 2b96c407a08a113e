import Foundation
import GXDomain

/// The pass a following consumer waits for: one its provider ended in the agreement's current period (for
/// a daily agreement, tonight — since 12:00 Beijing time; see `UpdateCycle.periodStart`). An end-of-pass
/// batch accepted before that is an earlier night's: applying it does not end tonight's wait.
struct DuePass: Sendable {
    /// The beginning of the period whose pass is due.
    var since: Date

    init(frequency: UpdateCycle, now: Date, since: Date? = nil) {
        self.since = since ?? frequency.periodStart(containing: now)
    }

    /// Whether `batch` ends the due pass. A hub that does not say when it accepted a batch is taken at its
    /// end-of-pass mark alone, as before.
    func isEnded(by batch: ExchangeAPI.AvailableBatch) -> Bool {
        guard batch.endsPass == true else { return false }
        guard let text = batch.acceptedAt else { return true }
        guard let accepted = Timestamp.date(from: text) else { return false }
        return accepted >= since
    }
}
