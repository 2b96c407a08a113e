extension String {
    /// The name as a PostgreSQL identifier: in double quotes, embedded quotes doubled, so a configured table
    /// or column name can never break out into SQL. `schema.table` is quoted part by part.
    public var postgresIdentifier: String {
        "\"" + replacing("\"", with: "\"\"") + "\""
    }

    /// A possibly schema-qualified table name (`register.people`), each part quoted.
    public var postgresQualifiedName: String {
        split(separator: ".", maxSplits: 1).map { String($0).postgresIdentifier }.joined(separator: ".")
    }
}
