import GRDB
import GRDBSQLite
import GXDomain

/// The body's handle on an open `SQLiteSink.apply` transaction; refuses use after the transaction ended.
final class SQLiteSinkTransaction: PlacingSinkTransaction {
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

    /// Binds through SQLite's own calls on GRDB's prepared statement (GRDB's arguments are `String`s), inside
    /// the same transaction; a token with an escape is decoded first.
    func upsert(line: CanonicalRecordLine, placing positions: [Int]) throws {
        try requireOpen()
        let statement = upsertStatement.sqliteStatement
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
        var code = SQLITE_OK
        // The tokens are read in place: a slice of the line per value would cost a reference count each.
        let nullKey: Int? = line.withBytes { bytes in
            for index in keyIndexes {
                guard let n = positions.firstIndex(of: index), bytes[line.tokenRange(n).lowerBound] == UInt8(ascii: "\"") else { return index }
            }
            for (n, position) in positions.enumerated() where code == SQLITE_OK {
                let token = line.tokenRange(n)
                guard bytes[token.lowerBound] == UInt8(ascii: "\"") else { continue }  // null: left unbound
                let text = UnsafeRawBufferPointer(rebasing: bytes[token.lowerBound + 1..<token.upperBound - 1])
                if text.contains(UInt8(ascii: "\\")) {
                    code = Array((line.value(n) ?? "").utf8).withUnsafeBufferPointer { decoded in
                        sqlite3_bind_text(statement, Int32(position + 1), decoded.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                                          Int32(decoded.count), Self.transient)
                    }
                } else {
                    // Never a nil address, even for "": that would bind NULL.
                    code = sqlite3_bind_text(statement, Int32(position + 1), text.baseAddress.map { $0.assumingMemoryBound(to: CChar.self) },
                                             Int32(text.count), Self.transient)
                }
            }
            return nil
        }
        if let nullKey { throw LocalDataError(location: location, reason: "upsert with NULL key column \(columnNames[nullKey])") }
        if code == SQLITE_OK {
            code = sqlite3_step(statement)
            if code == SQLITE_DONE { code = SQLITE_OK }
        }
        guard code == SQLITE_OK else {
            let message = String(cString: sqlite3_errmsg(sqlite3_db_handle(statement)))
            sqlite3_reset(statement)
            let key = keyIndexes.compactMap { index in positions.firstIndex(of: index).map { line.value($0) ?? "NULL" } }
            throw LocalDataError(location: location, reason: "cannot upsert key \(key.joined(separator: "|")): \(message)")
        }
    }

    /// SQLite copies the bytes before the call returns (`SQLITE_TRANSIENT`, a C macro Swift cannot import).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

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
