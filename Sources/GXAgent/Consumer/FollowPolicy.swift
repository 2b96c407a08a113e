import Foundation

/// How a consumer follows its providers' passes (`gx agent run --follow`): after applying what the hub
/// has, it keeps asking for new deliveries and applies them as they arrive, until it has applied one that
/// ends a provider's pass. So a consumer started beside the provider applies while the provider still reads.
public struct FollowPolicy: Sendable {
    /// Give up when no new delivery arrived for this long: the provider is not running, or failed. Counted
    /// from the run's start (`startedAt`) or the agreement's last new delivery, so agreements followed one
    /// after the other share one wait rather than each waiting in turn.
    public var idleTimeout: Duration
    public var startedAt: ContinuousClock.Instant
    /// How long the hub may hold each ask open until a batch arrives (`wait=`).
    public var longPoll: Duration
    /// The least time between two asks, should a hub answer an empty list without waiting.
    public var leastInterval: Duration

    /// The pass awaited is one the hub accepted at or after this instant; nil for the start of the
    /// agreement's current period (`UpdateCycle.periodStart`), as a nightly run wants.
    public var passSince: Date?

    public init(idleTimeout: Duration, longPoll: Duration = .seconds(10), leastInterval: Duration = .seconds(1), passSince: Date? = nil) {
        self.idleTimeout = idleTimeout
        startedAt = .now
        self.passSince = passSince
        self.longPoll = longPoll
        self.leastInterval = leastInterval
    }

    /// How long to pause, after an empty answer, before asking again: none when the ask did not ask the hub
    /// to wait (the first, plain ask of a run — so a pass that arrives a moment later is heard of at once,
    /// not a `leastInterval` later), else what is left of `leastInterval` since it was asked, so a hub that
    /// answers long polls at once is not asked in a tight loop.
    func pause(sinceAsked elapsed: Duration, askedToWait: Bool) -> Duration {
        guard askedToWait, elapsed < leastInterval else { return .zero }
        return leastInterval - elapsed
    }
}
