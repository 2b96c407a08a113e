import Foundation
import GXAgent
import GXCrypto
import GXDomain
import GXPostgres
import GXTestSupport
import Testing

/// The quickstart ran two nights through real hub and agent processes; these tests examine what each
/// consumer ended up with against what its provider holds.
@Suite("Two nights of exchange through real hub and agent processes")
struct ExchangeTests {
    struct Pair {
        var agreement: String
        var provider: String
        var consumer: String
        var resource: String
        var items: [String]
        /// The agreement's masks, by item.
        var masks: [String: ItemMask] = [:]
    }

    static func pairs() throws -> [Pair] {
        // A verification agreement (比对核实) moves no register: see VerificationProcessTests.
        try SampleDocuments.agreementTerms().filter { $0.method.deliversBatches }.map {
            Pair(agreement: $0.id, provider: $0.provider, consumer: $0.consumer, resource: $0.resourceCode, items: $0.items, masks: $0.masks ?? [:])
        }
    }

    /// The provider's valid rows of its last export, mapped to the catalogue, cut to the agreed items and masked as
    /// the agreement says, as canonical lines.
    static func expectedLines(_ pair: Pair, state: URL) async throws -> Set<String> {
        let entry = try #require(try SampleDocuments.catalogue()[pair.resource])
        let agreed = entry.items.map(\.name).filter(Set(pair.items).contains)
        var lines = Set<String>()
        for values in try await providerRows(pair, state: state) {
            let masked = zip(agreed, values).map { item, value in value.map { pair.masks[item]?.apply(to: $0) ?? $0 } }
            var bytes: [UInt8] = []
            CanonicalRecord(operation: .upsert, values: masked).write(into: &bytes)
            lines.insert(String(decoding: bytes, as: UTF8.self))
        }
        return lines
    }

    /// The provider's valid rows of its last export, mapped to the catalogue and cut to the agreed items, in the clear.
    static func providerRows(_ pair: Pair, state: URL) async throws -> [[String?]] {
        let config = state.appendingPathComponent("agents/\(pair.provider)/agent.toml").path
        let (configuration, text) = try AgentConfiguration.load(path: config)
        let provided = try #require(configuration.provide.first { $0.resource == pair.resource })
        let entry = try #require(try SampleDocuments.catalogue()[pair.resource])
        let items = entry.items.map(\.name)
        let source: any RecordSource = switch provided.source.kind {
        case .csv: try CSVSource(path: provided.source.path, keyColumns: provided.source.key)
        case .sqlite: try SQLiteSource(path: provided.source.path, table: provided.source.table!, keyColumns: provided.source.key,
                                       cursorColumn: nil)
        case .postgres: try await PostgresSource.open(settings: try PostgresSettings.parse(provided.source.path), table: provided.source.table!,
                                                      keyColumns: provided.source.key, cursorColumn: nil)
        }
        let mapper = try RecordMapper.outgoing(provided.map, columns: try source.columns(), columnsSource: provided.source.path, entry: entry,
                                               items: items, configText: text, configSource: config)
        let validator = try RecordValidator(entry: entry, items: items)
        let agreed = entry.items.map(\.name).filter(Set(pair.items).contains)
        let indices = agreed.map { items.firstIndex(of: $0)! }
        var rows: [[String?]] = []
        try await source.scan(after: nil) { row in
            guard let values = try? mapper.map(row.values) else { return }
            let record = CanonicalRecord(operation: .upsert, values: values)
            guard validator.violation(in: record) == nil else { return }
            rows.append(indices.map { values[$0] })
        }
        await source.close()
        return rows
    }

    /// What the consumer's table holds, in the same canonical form.
    static func receivedLines(_ pair: Pair, state: URL) throws -> Set<String> {
        let entry = try #require(try SampleDocuments.catalogue()[pair.resource])
        let key = entry.items.first(where: \.key)!.name
        let source = try SQLiteSource(path: state.appendingPathComponent("agents/\(pair.consumer)/data/received.sqlite").path,
                                      table: pair.resource.replacingOccurrences(of: "-", with: "_"), keyColumns: [key], cursorColumn: nil)
        var rows: [[String?]] = []
        try source.scan(after: nil) { rows.append($0.values) }
        return try canonicalLines(pair, columns: try source.columns(), rows: rows)
    }

    /// Rows of a consumer's table (one column per agreed item, named after it) as canonical lines.
    static func canonicalLines(_ pair: Pair, columns: [String], rows: [[String?]]) throws -> Set<String> {
        let entry = try #require(try SampleDocuments.catalogue()[pair.resource])
        let agreed = entry.items.map(\.name).filter(Set(pair.items).contains)
        let indices = agreed.map { columns.firstIndex(of: $0)! }
        var lines = Set<String>()
        for row in rows {
            var bytes: [UInt8] = []
            CanonicalRecord(operation: .upsert, values: indices.map { row[$0] }).write(into: &bytes)
            lines.insert(String(decoding: bytes, as: UTF8.self))
        }
        return lines
    }

    /// One SM3 over the lines in sorted order: equal contents, equal digest.
    static func digest(_ lines: Set<String>) -> String {
        SM3.digest(Array(lines.sorted().joined().utf8)).hex
    }

    @Test("after two nights every consumer holds exactly its provider's valid rows, cut to the agreed items",
          arguments: try pairs().map(\.agreement))
    func consumerEqualsProvider(agreement: String) async throws {
        let run = try await Quickstart.run()
        try #require(run.result.status == 0, "\(run.result.stderr.suffix(3000))")
        let pair = try #require(try Self.pairs().first { $0.agreement == agreement })
        let expected = try await Self.expectedLines(pair, state: run.state)
        let received = try Self.receivedLines(pair, state: run.state)
        #expect(expected.count > 1000)
        #expect(received.count == expected.count)
        #expect(received == expected, "missing \(expected.subtracting(received).prefix(3)), extra \(received.subtracting(expected).prefix(3))")
    }

    @Test("the masked agreement's consumer holds, for every masking rule, masked values and never a clear one")
    func maskedValuesApplied() async throws {
        let run = try await Quickstart.run()
        try #require(run.result.status == 0, "\(run.result.stderr.suffix(3000))")
        let masked = try Self.pairs().filter { !$0.masks.isEmpty }
        let rules = Set(masked.flatMap { $0.masks.values.map { if case .keep = $0 { "keep" } else { "year" } } })
        #expect(rules == ["keep", "year"], "the quickstart shows every masking rule")
        for pair in masked {
            let entry = try #require(try SampleDocuments.catalogue()[pair.resource])
            let agreed = entry.items.map(\.name).filter(Set(pair.items).contains)
            let clear = try await Self.providerRows(pair, state: run.state)
            let key = entry.items.first(where: \.key)!.name
            let source = try SQLiteSource(path: run.state.appendingPathComponent("agents/\(pair.consumer)/data/received.sqlite").path,
                                          table: pair.resource.replacingOccurrences(of: "-", with: "_"), keyColumns: [key], cursorColumn: nil)
            let columns = try source.columns()
            var received: [[String?]] = []
            try source.scan(after: nil) { received.append($0.values) }
            for (item, mask) in pair.masks {
                let position = try #require(agreed.firstIndex(of: item)), column = try #require(columns.firstIndex(of: item))
                let clearValues = Set(clear.compactMap { $0[position] }.filter { !$0.isEmpty })
                let held = Set(received.compactMap { $0[column] }.filter { !$0.isEmpty })
                #expect(clearValues.count > 100, "\(pair.agreement) \(item): too few values to prove anything")
                #expect(held.isDisjoint(with: clearValues), "\(pair.agreement) \(item) (\(mask)): a clear value reached the consumer")
                #expect(held == Set(clearValues.map(mask.apply)), "\(pair.agreement) \(item) (\(mask))")
            }
        }
    }

    @Test("a consumer's table has only the agreed items as columns")
    func onlyAgreedColumns() async throws {
        let run = try await Quickstart.run()
        for pair in try Self.pairs() {
            let entry = try #require(try SampleDocuments.catalogue()[pair.resource])
            let source = try SQLiteSource(path: run.state.appendingPathComponent("agents/\(pair.consumer)/data/received.sqlite").path,
                                          table: pair.resource.replacingOccurrences(of: "-", with: "_"),
                                          keyColumns: [entry.items.first(where: \.key)!.name], cursorColumn: nil)
            #expect(Set(try source.columns()) == Set(pair.items), "\(pair.agreement)")
        }
    }

    @Test("the second night carried deletes and quarantined rows stayed with the provider")
    func deletesAndQuarantine() async throws {
        let run = try await Quickstart.run()
        let export = try String(contentsOfFile: run.export, encoding: .utf8)
        let accepted = export.split(separator: "\n").filter { $0.contains("\"action\":\"batch.accepted\"") }
        #expect(accepted.contains { !$0.contains("\"deletes\":0") }, "no batch carried deletes")
        #expect(accepted.contains { !$0.contains("\"quarantined\":0") }, "no batch reported quarantined records")
        #expect(run.result.stdout.contains("quickstart done"))
    }

    @Test("a consumer run that cannot reach the hub exits 4 after its retries and changes nothing")
    func unreachableHubChangesNothing() async throws {
        let run = try await Quickstart.run()
        let pair = try #require(try Self.pairs().first { $0.resource == "RK-001" })
        let before = try Self.receivedLines(pair, state: run.state)
        // The quickstart's hub was stopped; a consumer run now fails to reach it and must change nothing.
        let result = try await GXBinary.run(["agent", "run", "--config", run.state.appendingPathComponent("agents/\(pair.consumer)/agent.toml").path])
        #expect(result.status == 4, "\(result.stderr)")
        #expect(try Self.receivedLines(pair, state: run.state) == before)
    }
}

@Suite("Agent start-up checks")
struct AgentStartupTests {
    @Test("a mapping that names an unknown column is refused at start-up with its config line, exit 2")
    func unknownColumnNamesLine() async throws {
        let world = try await CrashRecoveryTests.world()
        defer { world.hub.stop() }
        let config = world.providerConfig
        let text = try String(contentsOfFile: config, encoding: .utf8).replacingOccurrences(of: "column = \"xm\"", with: "column = \"xingming\"")
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("\"xingming\"") }! + 1
        let result = try await GXBinary.run(["agent", "run", "--config", config])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("\(config):\(line)"), "\(result.stderr)")
        #expect(result.stderr.contains("xingming"))
    }

    @Test("a second run while one holds the lock exits 3")
    func lockedRunExits3() async throws {
        let run = try await Quickstart.run()
        let state = try temporaryDirectory("lock")
        try FileManager.default.removeItem(at: state)
        try run.copyState(to: state)
        let agent = state.appendingPathComponent("agents/111100000000210552")
        // flock(1) holds the agent's lock as a concurrent run would.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = [agent.appendingPathComponent("state/agent.lock").path, "sleep", "30"]
        try holder.run()
        defer { holder.terminate() }
        try await Task.sleep(for: .milliseconds(300))
        let result = try await GXBinary.run(["agent", "run", "--config", agent.appendingPathComponent("agent.toml").path])
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("another run"))
    }
}
