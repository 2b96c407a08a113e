/// Why an act on an objection was refused for its state or party (bad input is an `InvalidInput`).
public enum ObjectionError: Error, Sendable, Equatable, CustomStringConvertible {
    case illegalTransition(objection: String, state: ObjectionState, act: String, allowedFrom: [ObjectionState])
    case wrongParty(objection: String, act: String, expected: String, got: String)

    public var description: String {
        switch self {
        case let .illegalTransition(id, state, act, allowed):
            return "objection \(id) is \(state.rawValue); '\(act)' is allowed only from \(allowed.map(\.rawValue).joined(separator: ", "))"
        case let .wrongParty(id, act, expected, got):
            return "objection \(id): only \(expected) may \(act), not \(got)"
        }
    }
}
