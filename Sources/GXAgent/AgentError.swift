/// Why an agent run could not do its work, in terms the operator (or scheduler) can act on.
public enum AgentError: Error, Sendable, CustomStringConvertible {
    case configuration(String)
    /// Another run of this agent holds the lock.
    case locked(path: String)
    case hubUnreachable(url: String, reason: String)
    /// The hub refused a request: its status, message and the field at fault.
    case hubAnswer(status: Int, message: String, field: String?)
    /// Something received did not verify (signature, digest, count): nothing of it was applied.
    case verification(what: String, reason: String)
    case localData(String)
    /// Following an agreement, no new delivery arrived for the idle timeout and the pass due in the
    /// agreement's current period (since `dueSince`) had not ended.
    case followTimedOut(agreement: String, waited: Duration, appliedThrough: Int64, dueSince: String?)

    public var description: String {
        switch self {
        case let .configuration(message): return "configuration: \(message)"
        case let .locked(path): return "another run of this agent is in progress (lock \(path))"
        case let .hubUnreachable(url, reason): return "hub \(url) unreachable: \(reason)"
        case let .hubAnswer(status, message, field): return "hub refused (\(status)): \(message)" + (field.map { " [field: \($0)]" } ?? "")
        case let .verification(what, reason): return "\(what) does not verify: \(reason)"
        case let .localData(message): return message
        case let .followTimedOut(agreement, waited, appliedThrough, dueSince):
            return "following \(agreement): no new delivery for \(waited.components.seconds) s and the provider's pass has not ended ("
                + (dueSince.map { "none accepted since \($0); " } ?? "") + "applied through #\(appliedThrough)); is the provider's agent running?"
        }
    }

    /// Exit status for schedulers: 2 configuration, 3 locked, 4 hub unreachable, 1 anything else.
    public var exitCode: Int32 {
        switch self {
        case .configuration: return 2
        case .locked: return 3
        case .hubUnreachable: return 4
        default: return 1
        }
    }
}
