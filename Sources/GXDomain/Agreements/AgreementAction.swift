/// The acts that move an agreement between states.
public enum AgreementAction: String, Codable, Sendable, CaseIterable {
    case signByConsumer = "sign_by_consumer"
    case signByProvider = "sign_by_provider"
    case file
    case activate
    case suspend
    case resume
    case revoke
    case expire
    case supersede

    /// The states the act is allowed from.
    public var allowedFrom: Set<AgreementState> { rule.from }

    /// The state each act leads to, from the states it is allowed in.
    var rule: (from: Set<AgreementState>, to: AgreementState) {
        switch self {
        case .signByConsumer: return ([.draft], .signedByConsumer)
        case .signByProvider: return ([.signedByConsumer], .signedByProvider)
        case .file: return ([.signedByProvider], .filed)
        case .activate: return ([.filed], .active)
        case .suspend: return ([.active], .suspended)
        case .resume: return ([.suspended], .active)
        case .revoke: return ([.draft, .signedByConsumer, .signedByProvider, .filed, .active, .suspended], .revoked)
        case .expire: return ([.filed, .active, .suspended], .expired)
        case .supersede: return ([.filed, .active, .suspended], .superseded)
        }
    }
}
