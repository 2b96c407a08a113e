/// A local source or sink that cannot be used as configured: says which file, table or column.
public struct LocalDataError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file or `database:table` at fault.
    public let location: String
    public let reason: String

    public init(location: String, reason: String) {
        self.location = location
        self.reason = reason
    }

    public var description: String { "\(location): \(reason)" }
}
