/// Why an act on an agreement was refused.
public enum AgreementError: Error, Sendable, Equatable, CustomStringConvertible {
    case illegalTransition(agreement: String, state: AgreementState, action: AgreementAction, allowedFrom: [AgreementState])
    case wrongSigner(agreement: String, expected: String, got: String)
    case badSignature(agreement: String, signer: String)
    case digestMismatch(agreement: String, expected: String, got: String)
    case outsideValidity(agreement: String, validFrom: CalendarDate, validUntil: CalendarDate, today: CalendarDate)

    public var description: String {
        switch self {
        case let .illegalTransition(id, state, action, allowed):
            return "agreement \(id) is \(state.rawValue); '\(action.rawValue)' is allowed only from \(allowed.map(\.rawValue).sorted().joined(separator: ", "))"
        case let .wrongSigner(id, expected, got):
            return "agreement \(id) awaits the signature of \(expected), not \(got)"
        case let .badSignature(id, signer):
            return "agreement \(id): the signature of \(signer) does not verify against the canonical terms and the agency's registered SM2 key"
        case let .digestMismatch(id, expected, got):
            return "agreement \(id): signature covers content \(got), current terms are \(expected)"
        case let .outsideValidity(id, from, until, today):
            return "agreement \(id) is valid \(from) to \(until); today is \(today)"
        }
    }
}
