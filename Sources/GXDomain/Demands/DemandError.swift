/// Why an act on a demand was refused for the demand's state (bad input is an `InvalidInput`).
public enum DemandError: Error, Sendable, Equatable, CustomStringConvertible {
    case illegalTransition(demand: String, state: DemandState, act: String, allowedFrom: [DemandState])
    case wrongParty(demand: String, act: String, expected: String, got: String)

    public var description: String {
        switch self {
        case let .illegalTransition(id, state, act, allowed):
            return "demand \(id) is \(state.rawValue); '\(act)' is allowed only from \(allowed.map(\.rawValue).joined(separator: ", "))"
        case let .wrongParty(id, act, expected, got):
            return "demand \(id): only \(expected) may \(act), not \(got)"
        }
    }
}
