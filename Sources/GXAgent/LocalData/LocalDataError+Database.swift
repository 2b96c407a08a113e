import GRDB

extension LocalDataError {
    /// Rewords a GRDB/SQLite failure so callers only ever see `LocalDataError` naming the database and table.
    static func database(_ error: any Error, at location: String, while action: String) -> LocalDataError {
        if let error = error as? LocalDataError { return error }
        if let error = error as? DatabaseError {
            return LocalDataError(location: location, reason: "\(action): \(error.message ?? "\(error.resultCode)")")
        }
        return LocalDataError(location: location, reason: "\(action): \(error)")
    }

    /// Runs a database operation, turning any failure into a `LocalDataError` at `location`.
    static func catching<T>(at location: String, while action: String, _ operation: () throws -> T) throws(LocalDataError) -> T {
        do {
            return try operation()
        } catch {
            throw database(error, at: location, while: action)
        }
    }
}
