import PostgresNIO

/// What went wrong talking to PostgreSQL, in words an operator can act on.
///
/// PostgresNIO keeps server messages out of `PSQLError.description` so they are not logged by accident;
/// we want the server's message and SQLSTATE (they never carry bound values), so we read them out here.
public struct PostgresFailure: Error, Sendable, CustomStringConvertible {
    /// The SQLSTATE the server reported, e.g. `23505` for a unique violation; nil for connection failures.
    public let sqlState: String?
    public let message: String

    public init(_ error: any Error) {
        if let failure = error as? PostgresFailure {
            self = failure
            return
        }
        guard let error = error as? PSQLError else {
            sqlState = nil
            message = "\(error)"
            return
        }
        if let info = error.serverInfo {
            sqlState = info[.sqlState]
            var text = info[.message] ?? "server error"
            if let detail = info[.detail] { text += " (\(detail))" }
            if let hint = info[.hint] { text += "; hint: \(hint)" }
            message = text
        } else {
            sqlState = nil
            var text = "\(error.code)"
            if let underlying = error.underlying { text += ": \(underlying)" }
            message = text
        }
    }

    public var isUniqueViolation: Bool { sqlState == "23505" }
    public var isForeignKeyViolation: Bool { sqlState == "23503" }
    /// The server could not be reached or dropped the connection: worth retrying later, not a bad request.
    public var isConnectionFailure: Bool { sqlState == nil || sqlState?.hasPrefix("08") == true || sqlState?.hasPrefix("57") == true }

    public var description: String { sqlState.map { "\(message) [SQLSTATE \($0)]" } ?? message }
}
