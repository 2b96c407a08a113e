import GXDomain
import GXTestSupport
import Testing

@Suite("Agreement states")
struct AgreementTransitionTests {
    static let legal: [(AgreementState, AgreementAction, AgreementState)] = [
        (.draft, .signByConsumer, .signedByConsumer),
        (.signedByConsumer, .signByProvider, .signedByProvider),
        (.signedByProvider, .file, .filed),
        (.filed, .activate, .active),
        (.active, .suspend, .suspended),
        (.suspended, .resume, .active),
        (.draft, .revoke, .revoked), (.signedByConsumer, .revoke, .revoked), (.signedByProvider, .revoke, .revoked),
        (.filed, .revoke, .revoked), (.active, .revoke, .revoked), (.suspended, .revoke, .revoked),
        (.filed, .expire, .expired), (.active, .expire, .expired), (.suspended, .expire, .expired),
        (.filed, .supersede, .superseded), (.active, .supersede, .superseded), (.suspended, .supersede, .superseded),
    ]

    static func agreement(in state: AgreementState) throws -> SharingAgreement {
        var agreement = SharingAgreement(terms: try AgreementParties.housing().terms)
        agreement.state = state
        return agreement
    }

    @Test("every legal transition leads to its state and bumps the revision", arguments: 0..<legal.count)
    func legalTransition(index: Int) throws {
        let (from, action, to) = Self.legal[index]
        let before = try Self.agreement(in: from)
        let after = try before.applying(action)
        #expect(after.state == to)
        #expect(after.revision == before.revision + 1)
    }

    @Test("every other state and act is refused, naming the states the act is allowed from")
    func illegalTransitionsRefused() throws {
        let allowed = Set(Self.legal.map { "\($0.0.rawValue)|\($0.1.rawValue)" })
        var refused = 0
        for state in AgreementState.allCases {
            for action in AgreementAction.allCases where !allowed.contains("\(state.rawValue)|\(action.rawValue)") {
                let agreement = try Self.agreement(in: state)
                let error = #expect(throws: AgreementError.self) { try agreement.applying(action) }
                guard case let .illegalTransition(_, errorState, errorAction, from)? = error else {
                    Issue.record("expected illegalTransition for \(state) \(action)")
                    continue
                }
                #expect(errorState == state && errorAction == action && !from.contains(state))
                #expect(error!.description.contains("allowed only from"))
                refused += 1
            }
        }
        #expect(refused == AgreementState.allCases.count * AgreementAction.allCases.count - Self.legal.count)
    }

    @Test("revoked, expired and superseded agreements are final")
    func finalStatesHaveNoWayOut() throws {
        for state in [AgreementState.revoked, .expired, .superseded] {
            let agreement = try Self.agreement(in: state)
            for action in AgreementAction.allCases {
                #expect(throws: AgreementError.self) { try agreement.applying(action) }
            }
        }
    }

    @Test("data may flow only while active and within validity")
    func exchangePermittedOnlyWhenActiveAndValid() throws {
        let active = try Self.agreement(in: .active)
        #expect(active.permitsExchange(on: CalendarDate(year: 2027, month: 6, day: 1)))
        #expect(!active.permitsExchange(on: CalendarDate(year: 2029, month: 1, day: 1)))
        #expect(!active.permitsExchange(on: CalendarDate(year: 2025, month: 12, day: 31)))
        #expect(!(try Self.agreement(in: .suspended)).permitsExchange(on: CalendarDate(year: 2027, month: 6, day: 1)))
        #expect(!(try Self.agreement(in: .filed)).permitsExchange(on: CalendarDate(year: 2027, month: 6, day: 1)))
    }
}
