/// Opens the configured local sources and sinks.
enum LocalData {
    static func source(_ location: LocalDataLocation) async throws -> any RecordSource {
        do {
            switch location.kind {
            case .csv: return try CSVSource(path: location.path, keyColumns: location.key)
            case .sqlite: return try SQLiteSource(path: location.path, table: location.table!, keyColumns: location.key, cursorColumn: location.cursor)
            case .postgres:
                return try await PostgresSource.open(settings: try location.postgresSettings(), table: location.table!, keyColumns: location.key,
                                                     cursorColumn: location.cursor)
            }
        } catch {
            throw AgentError.localData("\(error)")
        }
    }

    /// Brings a sink's derived files up to date after a run's batches (a CSV sink's export).
    static func finishRun(_ sink: any RecordSink) throws {
        do { try (sink as? CSVSink)?.exportIfStale() } catch { throw AgentError.localData("\(error)") }
    }

    /// `columns` are created when the location asks for it and does not exist yet.
    static func sink(_ location: LocalDataLocation, columns: [String]) async throws -> any RecordSink {
        do {
            switch location.kind {
            // The file is rewritten once at the end of the run (`finishRun`), not after every batch.
            case .csv: return try CSVSink(path: location.path, keyColumns: location.key, columns: columns, exportsAfterEachApply: false)
            case .sqlite: return try SQLiteSink(path: location.path, table: location.table!, keyColumns: location.key,
                                                createColumns: location.create ? columns : nil)
            case .postgres:
                return try await PostgresSink.open(settings: try location.postgresSettings(), table: location.table!, keyColumns: location.key,
                                                   createColumns: location.create ? columns : nil)
            }
        } catch {
            throw AgentError.localData("\(error)")
        }
    }
}
