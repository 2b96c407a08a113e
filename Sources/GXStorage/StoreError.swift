/// Why a store refused a change. Nothing of the refused transaction is kept.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case duplicate(what: String)
    case notFound(what: String)
    /// Someone else changed the record since it was read; read again and retry.
    case conflict(what: String)
    case migrationsAhead(database: Int, known: Int)
    case unavailable(reason: String)
    /// One name names one principal: an auditor may not take an agency's code or the admin's name, nor an
    /// agency an auditor's, so that no audit actor or client certificate leaves in doubt who acted.
    case nameTaken(_ name: String, by: String)

    public var description: String {
        switch self {
        case let .duplicate(what): return "\(what) already exists"
        case let .notFound(what): return "\(what) does not exist"
        case let .conflict(what): return "\(what) was changed concurrently; read it again and retry"
        case let .migrationsAhead(database, known): return "the database is at schema \(database), this gx knows up to \(known): upgrade gx"
        case let .unavailable(reason): return "the store is unavailable: \(reason)"
        case let .nameTaken(name, kind): return "a principal named '\(name)' (\(kind):\(name)) already exists; choose another name"
        }
    }
}
