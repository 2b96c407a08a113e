import Logging
import PostgresNIO

extension PostgresConnection {
    /// Runs a statement to completion, reading and dropping any rows: PostgresNIO reports some failures
    /// (a plan error, a constraint violation) only as the result is read, and a statement whose result
    /// nobody reads must still fail where it ran.
    public func run(_ query: PostgresQuery, logger: Logger) async throws {
        for try await _ in try await self.query(query, logger: logger) {}
    }
}
