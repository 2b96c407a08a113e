/// The columns a sink is asked to create when its table does not exist yet.
enum SinkColumns {
    /// Each column named, each once, and every key column among them.
    static func validate(_ columns: [String], keyColumns: [String], location: String) throws(LocalDataError) {
        var seen = Set<String>()
        for column in columns {
            guard !column.isEmpty else { throw LocalDataError(location: location, reason: "a column to create has no name") }
            guard seen.insert(column).inserted else {
                throw LocalDataError(location: location, reason: "column \(column) is listed twice")
            }
        }
        for key in keyColumns where !seen.contains(key) {
            throw LocalDataError(location: location, reason: "key column \(key) is not among the columns to create")
        }
    }
}
