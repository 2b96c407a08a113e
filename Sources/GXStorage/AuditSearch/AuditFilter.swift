/// One of the search's equality filters, each answered by an index kept in sequence order: `(agency, seq)` beside
/// the chain, `(agreement | resource | action | actor, seq)` on the entries.
enum AuditFilter: Hashable, Sendable {
    case agency(String)
    case entryColumn(AuditFilterColumn, String)

    var isAgency: Bool {
        if case .agency = self { true } else { false }
    }

    var value: String {
        switch self {
        case let .agency(value), let .entryColumn(_, value): value
        }
    }
}

/// The entry columns an auditor filters on, each with its `(column, seq)` index.
enum AuditFilterColumn: String, Sendable, CaseIterable {
    case agreement, resource, action, actor

    var index: String { "audit_entries_\(rawValue)" }
}
