import Hummingbird

/// Pages served on the hub's router beside the API, under `prefix` (e.g. `/console`). The bearer check
/// lets their paths through without a principal: the mount authenticates its visitors itself.
public struct HubMount: Sendable {
    public let prefix: String
    public let add: @Sendable (Router<HubRequestContext>) -> Void

    public init(prefix: String, add: @escaping @Sendable (Router<HubRequestContext>) -> Void) {
        self.prefix = prefix
        self.add = add
    }
}
