/// Why an act on an agreement was refused.
public enum AgreementError: Error, Sendable, Equatable, CustomStringConvertible {
    case illegalTransition(agreement: String, state: AgreementState, action: AgreementAction, allowedFrom: [AgreementState])
    case wrongSigner(agreement: String, expected: String, got: String)
    case badSignature(agreement: String, signer: String)
    case digestMismatch(agreement: String, expected: String, got: String)
    case outsideValidity(agreement: String, validFrom: CalendarDate, validUntil: CalendarDate, today: CalendarDate)
    /// Only a filed agreement that has not ended can be amended.
    case notAmendable(agreement: String, state: AgreementState)
    /// One amendment at a time: it is filed or withdrawn before the next is proposed.
    case amendmentPending(agreement: String, number: Int)
    case noAmendment(agreement: String)
    /// An act on the amendment out of turn (signing it twice, filing it before both signatures).
    case amendmentOutOfTurn(agreement: String, number: Int, state: AgreementState, act: String, allowedFrom: [AgreementState])

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
        case let .notAmendable(id, state):
            return "agreement \(id) is \(state.rawValue); only a filed, active or suspended agreement can be amended"
        case let .amendmentPending(id, number):
            return "agreement \(id) already has amendment \(number) pending; file or withdraw it first"
        case let .noAmendment(id):
            return "agreement \(id) has no amendment pending"
        case let .amendmentOutOfTurn(id, number, state, act, allowed):
            return "amendment \(number) of agreement \(id) is \(state.rawValue); '\(act)' is allowed only from \(allowed.map(\.rawValue).sorted().joined(separator: ", "))"
        }
    }
}
