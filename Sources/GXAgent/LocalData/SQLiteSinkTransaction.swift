import GRDB

/// The body's handle on an open `SQLiteSink.apply` transaction; refuses use after the transaction ended.
final class SQLiteSinkTransaction: SinkTransaction {
    private let location: String
    private let columnNames: [String]
    private let keyIndexes: [Int]
    private let upsertStatement: Statement
    private let deleteStatement: Statement
    private var isOpen = true

    init(location: String, columnNames: [String], keyIndexes: [Int], upsert: Statement, delete: Statement) {
        self.location = location
        self.columnNames = columnNames
        self.keyIndexes = keyIndexes
        upsertStatement = upsert
        deleteStatement = delete
    }

    func close() {
        isOpen = false
    }

    func upsert(_ values: [String?]) throws {
        try requireOpen()
        guard values.count == columnNames.count else {
            throw LocalDataError(location: location,
                                 reason: "upsert has \(values.count) values, the table has \(columnNames.count) columns")
        }
        for index in keyIndexes where values[index] == nil {
            throw LocalDataError(location: location, reason: "upsert with NULL key column \(columnNames[index])")
        }
        do {
            upsertStatement.setUncheckedArguments(Self.arguments(values))
            try upsertStatement.execute()
        } catch {
            throw LocalDataError.database(error, at: location, while: "cannot upsert key \(keyDescription(values))")
        }
    }

    func delete(key: [String]) throws {
        try requireOpen()
        guard key.count == keyIndexes.count else {
            throw LocalDataError(location: location, reason: "delete has \(key.count) key values, the table has \(keyIndexes.count) key columns")
        }
        do {
            deleteStatement.setUncheckedArguments(Self.arguments(key))
            try deleteStatement.execute()
        } catch {
            throw LocalDataError.database(error, at: location, while: "cannot delete key \(key.joined(separator: "|"))")
        }
    }

    /// The values as statement arguments. Built from existentials on purpose: GRDB's initialiser for a
    /// sequence of `some DatabaseValueConvertible` (what `[String?]` picks) maps through a key path that the
    /// runtime instantiates on every call, which made binding cost more than SQLite's own work per row.
    static func arguments(_ values: [String?]) -> StatementArguments {
        StatementArguments(values.map { $0 as (any DatabaseValueConvertible)? })
    }

    static func arguments(_ values: [String]) -> StatementArguments {
        StatementArguments(values.map { $0 as (any DatabaseValueConvertible)? })
    }

    private func requireOpen() throws(LocalDataError) {
        guard isOpen else {
            throw LocalDataError(location: location, reason: "transaction used after its apply ended")
        }
    }

    private func keyDescription(_ values: [String?]) -> String {
        keyIndexes.map { values[$0] ?? "NULL" }.joined(separator: "|")
    }
}
