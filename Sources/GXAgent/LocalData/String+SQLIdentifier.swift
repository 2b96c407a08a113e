extension String {
    /// The name as an SQL identifier: in double quotes, with embedded quotes doubled. (GRDB's
    /// `quotedDatabaseIdentifier` does not double them, so a configured name could break out of the quotes.)
    var sqlIdentifier: String {
        "\"" + replacing("\"", with: "\"\"") + "\""
    }
}
