/// Who is calling the hub, as established from a credential.
public enum Principal: Sendable, Hashable, CustomStringConvertible {
    /// The informatization authority that runs the hub: registers, publishes, files.
    case admin(name: String)
    /// An agency, acting only on its own side of its own agreements.
    case agency(code: String)
    /// Read-only: audit log and metadata, never record data.
    case auditor(name: String)

    public var kind: PrincipalKind {
        switch self {
        case .admin: return .admin
        case .agency: return .agency
        case .auditor: return .auditor
        }
    }

    public var id: String {
        switch self {
        case let .admin(name), let .auditor(name): return name
        case let .agency(code): return code
        }
    }

    /// How the principal appears as the actor of audit entries.
    public var description: String { "\(kind.rawValue):\(id)" }
}

public enum PrincipalKind: String, Codable, Sendable, CaseIterable {
    case admin
    case agency
    case auditor
}
