import GXDomain

/// The acts the authority performs on an agreement by hand (activation and expiry follow from validity).
public enum AgreementAct: String, Sendable, CaseIterable {
    case file, suspend, resume, revoke

    /// Suspending, resuming and revoking must say why; filing may.
    public var needsReason: Bool { self != .file }

    /// The states an agreement must be in for the act.
    public var allowedFrom: Set<AgreementState> {
        switch self {
        case .file: return AgreementAction.file.allowedFrom
        case .suspend: return AgreementAction.suspend.allowedFrom
        case .resume: return AgreementAction.resume.allowedFrom
        case .revoke: return AgreementAction.revoke.allowedFrom
        }
    }
}
