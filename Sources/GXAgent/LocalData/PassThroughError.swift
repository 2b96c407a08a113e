/// Carries an error thrown by a caller's closure through GRDB's database-access closures, so it reaches the
/// caller unchanged instead of being mistaken for (and reworded as) a database failure.
struct PassThroughError: Error {
    let error: any Error

    init(_ error: any Error) {
        self.error = error
    }
}
