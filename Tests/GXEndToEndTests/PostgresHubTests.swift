import Foundation
import GXAgent
import GXCrypto
import GXDomain
import GXPostgres
import GXTestSupport
import Testing

/// The hub on PostgreSQL as production runs it: several `gx hub serve` processes on one database, and agents
/// reading from and applying to the agencies' own PostgreSQL databases.
@Suite("PostgreSQL: two hub processes on one database; agents on PostgreSQL")
struct PostgresHubTests {
    @Test("two hub processes on one database accept each sequence once, move an agreement once, and keep one audit chain under concurrent use")
    func twoHubProcesses() async throws {
        let world = try await PostgresWorld.make()
        let hubA = try await world.serve(), hubB = try await world.serve()
        defer { hubA.stop(); hubB.stop() }
        try await world.setUp(through: hubA, agreements: [PopulationBatch.agreement])
        let providerKey = try SM2PrivateKey(pem: try String(contentsOfFile: world.agencyFile(PopulationBatch.provider, "key"), encoding: .utf8))
        let providerToken = try world.token(world.agencyFile(PopulationBatch.provider, "token"))
        let adminToken = try world.token(world.adminToken)
        let rounds = 10, auditors = 20

        // Each round pushes sequence n to both processes at the same moment: an identical batch in odd rounds
        // (an idempotent resend), two different batches in even rounds (a conflict). Meanwhile an admin adds
        // auditors through both processes.
        let outcomes = try await withThrowingTaskGroup(of: [[Int]].self) { group in
            group.addTask {
                var outcomes: [[Int]] = []
                for round in 1...rounds {
                    let sequence = Int64(round)
                    let records = (1...20).map { PopulationBatch.record(round * 100 + $0) }
                    let first = try PopulationBatch.build(records, sequence: sequence, key: providerKey)
                    let second = round.isMultiple(of: 2)
                        ? try PopulationBatch.build(records + [PopulationBatch.delete(round)], sequence: sequence, key: providerKey)
                        : first
                    async let a = Self.push(first, to: hubA, token: providerToken)
                    async let b = Self.push(second, to: hubB, token: providerToken)
                    outcomes.append(try await [a.status, b.status].sorted())
                }
                return outcomes
            }
            for index in 1...auditors {
                let hub = index.isMultiple(of: 2) ? hubA : hubB
                group.addTask {
                    let body = try JSONSerialization.data(withJSONObject: ["name": "auditor-\(index)"])
                    let response = try await HubHTTP.call("POST", "\(hub.url)/v1/auditors", token: adminToken,
                                                          headers: ["Content-Type": "application/json"], body: body)
                    #expect(response.status == 201, "adding auditor-\(index): \(response.body)")
                    return []
                }
            }
            var all: [[Int]] = []
            for try await outcome in group { all += outcome }
            return all
        }

        #expect(outcomes.count == rounds)
        for (index, statuses) in outcomes.enumerated() {
            let round = index + 1
            // One process accepted (201); the other answered "already accepted" (200) or refused the conflict (409).
            #expect(statuses == (round.isMultiple(of: 2) ? [201, 409] : [200, 201]), "round \(round): \(statuses)")
        }
        let list = try await HubHTTP.call("GET", "\(hubB.url)/v1/resources/RK-001/batches", token: providerToken)
        let batches = try JSONDecoder().decode(ExchangeAPI.BatchList.self, from: Data(list.body.utf8))
        #expect(batches.lastSequence == Int64(rounds))
        #expect(batches.batches.map(\.manifest.sequence) == (1...Int64(rounds)).map { $0 })

        // The same agreement transition sent to both processes at once takes effect once: the other finds the
        // agreement already moved (its revision or its state), whichever way the race goes.
        for (path, rounds) in [("suspension", 3), ("resumption", 3)] {
            for round in 1...rounds {
                let body = try JSONSerialization.data(withJSONObject: ["reason": "\(path) race \(round)"])
                let url = "/v1/agreements/\(PopulationBatch.agreement)/\(path)"
                async let a = HubHTTP.call("POST", hubA.url + url, token: adminToken, headers: ["Content-Type": "application/json"], body: body)
                async let b = HubHTTP.call("POST", hubB.url + url, token: adminToken, headers: ["Content-Type": "application/json"], body: body)
                let statuses = try await [a.status, b.status]
                if round == 1 {
                    #expect(statuses.filter { $0 == 200 }.count == 1, "\(path): \(statuses)")
                } else {
                    #expect(!statuses.contains(200), "\(path) again: \(statuses)")
                }
                #expect(statuses.allSatisfy { $0 == 200 || $0 == 409 }, "\(path) round \(round): \(statuses)")
            }
        }

        #expect(try await hubA.terminate() == 0)
        #expect(try await hubB.terminate() == 0)
        let verify = try await GXBinary.run(["audit", "verify", "--db", world.hubURL, "--pub", world.state.appendingPathComponent("hub/hub.pub").path])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("audit chain intact"))
        let counts = try await TestPostgres.rows("""
            SELECT count(*)::text, max(seq)::text, count(DISTINCT prev_hash)::text,
                   count(*) FILTER (WHERE action = 'batch.accepted')::text, count(*) FILTER (WHERE action = 'auditor.added')::text,
                   count(*) FILTER (WHERE action = 'agreement.suspended')::text, count(*) FILTER (WHERE action = 'agreement.resumed')::text
            FROM audit_entries
            """, in: world.hubDatabase)
        let row = try #require(counts.first)
        #expect(row[0] == row[1], "audit sequence numbers have a gap or a duplicate")
        #expect(row[2] == row[0], "two entries link to the same predecessor: the chain forked")
        #expect(row[3] == String(rounds))
        #expect(row[4] == String(auditors))
        #expect(row[5] == "1" && row[6] == "1", "each transition should be audited once")
    }

    /// The last audit entry's sequence, and the sequence the last signed checkpoint covers.
    static func auditCoverage(_ world: PostgresWorld) async throws -> (head: Int, checkpoint: Int) {
        let row = try #require(try await TestPostgres.rows("""
            SELECT (SELECT COALESCE(max(seq), 0) FROM audit_entries)::text, (SELECT COALESCE(max(seq), 0) FROM audit_checkpoints)::text
            """, in: world.hubDatabase).first)
        return (Int(row[0] ?? "") ?? -1, Int(row[1] ?? "") ?? -1)
    }

    @Test("SIGTERM stops a hub on PostgreSQL at once, and its final checkpoint covers the last audit entry")
    func sigtermOnPostgres() async throws {
        let world = try await PostgresWorld.make()
        let hub = try await world.serve()
        defer { hub.stop() }
        var coverage = try await Self.auditCoverage(world)
        for _ in 0..<100 where coverage.checkpoint != coverage.head {
            try await Task.sleep(for: .milliseconds(50))
            coverage = try await Self.auditCoverage(world)
        }
        try #require(coverage.checkpoint == coverage.head)
        // An act whose entry no checkpoint covers yet; the hub signs one every 5 s, so on a slow machine the
        // periodic one may win the race: then act again until an entry is left uncovered.
        var before = coverage
        for number in 2...6 {
            try await world.gx(["auditors", "add", "auditor-\(number)", "--token-file", world.adminToken,
                                "--token-out", world.state.appendingPathComponent("auditor-\(number).token").path], hub: hub)
            before = try await Self.auditCoverage(world)
            if before.head > before.checkpoint { break }
        }
        #expect(before.head > before.checkpoint, "a periodic checkpoint covered every act before SIGTERM")

        let clock = ContinuousClock()
        let started = clock.now
        #expect(try await hub.terminate() == 0)
        let took = clock.now - started
        // Well under a second when the machine is idle; the maintenance loop used to wait out its 30 s.
        #expect(took < .seconds(10), "SIGTERM took \(took)")
        let after = try await Self.auditCoverage(world)
        #expect(after.head == before.head && after.checkpoint == after.head, "\(after)")
    }

    static func push(_ built: PopulationBatch.Built, to hub: HubProcess, token: String) async throws -> HubHTTP.Response {
        try await HubHTTP.call("POST", "\(hub.url)/v1/resources/RK-001/batches", token: token, headers: [
            ExchangeAPI.manifestHeader: built.signed.base64Content, ExchangeAPI.signatureHeader: built.signed.base64Signature,
        ], body: Data(built.payload))
    }

    @Test("a provider reading PostgreSQL, a hub on PostgreSQL and a consumer applying to PostgreSQL agree by digest, night 1 and night 2")
    func agentsOnPostgres() async throws {
        let world = try await PostgresWorld.make()
        let hub = try await world.serve()
        defer { hub.stop() }
        try await world.setUp(through: hub, agreements: [PopulationBatch.agreement])
        let pair = try #require(try ExchangeTests.pairs().first { $0.agreement == PopulationBatch.agreement })
        let providerDatabase = try await TestPostgres.freshDatabase(), consumerDatabase = try await TestPostgres.freshDatabase()
        let agents = await try AgentsOnPostgres(world: world, hub: hub, pair: pair, provider: providerDatabase, consumer: consumerDatabase)

        for night in 1...2 {
            try await agents.exportNight(night)
            let provided = try await GXBinary.run(["agent", "run", "--config", agents.providerConfig])
            #expect(provided.status == 0, "night \(night) provider: \(provided.stderr)")
            let consumed = try await GXBinary.run(["agent", "run", "--config", agents.consumerConfig])
            #expect(consumed.status == 0, "night \(night) consumer: \(consumed.stderr)")
            let expected = try await ExchangeTests.expectedLines(pair, state: world.state)
            let received = try await agents.received()
            #expect(expected.count > 2_500, "night \(night): the provider's table should hold about 3 000 valid rows")
            #expect(received.count == expected.count, "night \(night)")
            #expect(ExchangeTests.digest(received) == ExchangeTests.digest(expected), "night \(night): contents differ")
        }
    }
}

/// A provider agent over a table in the provider's PostgreSQL database and a consumer agent applying to a
/// table in its own, laid out as the quickstart lays out agents (`agents/<code>/agent.toml`).
struct AgentsOnPostgres {
    let world: PostgresWorld
    let pair: ExchangeTests.Pair
    let provider: PostgresSettings
    let consumer: PostgresSettings
    var providerConfig: String { world.state.appendingPathComponent("agents/\(pair.provider)/agent.toml").path }
    var consumerConfig: String { world.state.appendingPathComponent("agents/\(pair.consumer)/agent.toml").path }
    var export: String { world.state.appendingPathComponent("agents/\(pair.provider)/RK-001.csv").path }

    init(world: PostgresWorld, hub: HubProcess, pair: ExchangeTests.Pair, provider: PostgresSettings, consumer: PostgresSettings) async throws {
        self.world = world
        self.pair = pair
        self.provider = provider
        self.consumer = consumer
        func header(_ code: String) -> String {
            """
            hub = "\(hub.url)"
            agency = "\(code)"
            token_file = "\(world.agencyFile(code, "token"))"
            key_file = "\(world.agencyFile(code, "key"))"
            hub_key_file = "\(world.state.appendingPathComponent("hub/hub.pub").path)"
            state_dir = "state"

            """
        }
        let mapping = await try world.gx(["sample", "--resource", pair.resource, "--print-mapping"]).stdout
            .split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("[[provide]]") }.joined(separator: "\n")
        let providerText = header(pair.provider) + """
            [[provide]]
            resource = "\(pair.resource)"
            batch_records = 1000
            [provide.source]
            kind = "postgres"
            url = "\(provider.description)"
            table = "people"
            key = ["id_no"]

            \(mapping)
            """
        let consumerText = header(pair.consumer) + """
            [[consume]]
            agreement = "\(pair.agreement)"
            [consume.sink]
            kind = "postgres"
            url = "\(consumer.description)"
            table = "rk_001"
            key = ["公民身份号码"]
            create = true

            """ + pair.items.map { "[[consume.map]]\nitem = \"\($0)\"\ncolumn = \"\($0)\"\n" }.joined(separator: "\n")
        for (path, text) in [(providerConfig, providerText), (consumerConfig, consumerText)] {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
    }

    /// The provider's application writes the night's register into its table: `gx sample` as the export,
    /// loaded with psql's `\copy`, as an agency's own job would.
    func exportNight(_ night: Int) async throws {
        try await world.gx(["sample", "--resource", pair.resource, "--rows", "3000", "--seed", "20261130", "--night", String(night),
                      "--invalid-every", "250", "--out", export])
        let columns = try #require(try String(contentsOfFile: export, encoding: .utf8).split(separator: "\n").first)
            .split(separator: ",").map(String.init)
        if night == 1 {
            let definitions = columns.map { "\"\($0)\" TEXT" }.joined(separator: ", ")
            try await TestPostgres.execute("CREATE TABLE people (\(definitions), PRIMARY KEY (id_no))", in: provider)
        } else {
            try await TestPostgres.execute("TRUNCATE people", in: provider)
        }
        let psql = try #require(ProcessRunner.which("psql"), "psql is needed to load the provider's table: run scripts/setup.sh")
        let load = try await ProcessRunner.run(psql, [provider.description, "-v", "ON_ERROR_STOP=1", "-c", "\\copy people FROM '\(export)' WITH (FORMAT csv, HEADER true)"])
        try #require(load.status == 0, "\(load.stderr)")
    }

    /// The consumer's table as canonical lines of the agreed items.
    func received() async throws -> Set<String> {
        let sink = try await PostgresSink.open(settings: consumer, table: "rk_001", keyColumns: ["公民身份号码"])
        var rows: [[String?]] = []
        try await sink.forEachRowOrderedByKey { rows.append($0) }
        await sink.close()
        return try ExchangeTests.canonicalLines(pair, columns: try sink.columns(), rows: rows)
    }
}
