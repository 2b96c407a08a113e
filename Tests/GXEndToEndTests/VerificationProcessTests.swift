import Foundation
@testable import GXAgent
import GXCrypto
import GXDomain
import GXTestSupport
import Testing

/// Verification (比对核实) between real hub and agent processes: 市人力社保局 checks people against 市公安局's
/// register (BJ-GX-2026-005) and receives only found/not_found and match/mismatch per item.
@Suite("Verification through real hub and agent processes")
struct VerificationProcessTests {
    static let agreement = "BJ-GX-2026-005"

    /// What a planted record must come back as: found, then 姓名 and 出生日期 (nil: not answered).
    struct Expected: Hashable, CustomStringConvertible {
        var id: String
        var found: String
        var name: String?
        var birth: String?
        var description: String { "\(id) \(found) \(name ?? "-") \(birth ?? "-")" }
    }

    /// Writes the consumer's records from the provider's export, with planted mismatches, absent keys and
    /// full-width/whitespace variants; returns what each must come back as.
    static func plant(_ world: CrashRecoveryTests.World) throws -> Set<Expected> {
        let export = try String(contentsOfFile: world.state.appendingPathComponent("agents/\(CrashRecoveryTests.provider)/data/RK-001.csv").path,
                                encoding: .utf8)
        var lines = export.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let header = lines.removeFirst()
        #expect(header.hasPrefix("id_no,xm,xb,mz,csrq,"))
        var out = [header]
        var expected = Set<Expected>()
        // The first 60 rows: none is one of the export's deliberately invalid rows (every 250th).
        for (index, line) in lines.prefix(60).enumerated() {
            var fields = line.split(separator: ",", maxSplits: 5, omittingEmptySubsequences: false).map(String.init)
            let id = fields[0]
            var result = Expected(id: id, found: "found", name: "match", birth: "match")
            switch index % 10 {
            case 3:
                fields[1] += "某"
                result.name = "mismatch"
            case 5:
                fields[4] = fields[4] == "19991231" ? "19991230" : "19991231"
                result.birth = "mismatch"
            case 7:
                // Typed with full-width digits and padded: the mapping's normalisation finds the register's form.
                fields[0] = "\u{3000}" + String(String.UnicodeScalarView(id.unicodeScalars.map { $0.value < 0x7F ? Unicode.Scalar($0.value + 0xFEE0)! : $0 })) + " "
                fields[1] = " " + fields[1] + "\u{3000}"
            default:
                break
            }
            out.append(fields.joined(separator: ","))
            expected.insert(result)
        }
        // Valid GB 11643 numbers the register does not hold (born 1900-01-01).
        let template = lines[0].split(separator: ",", maxSplits: 5, omittingEmptySubsequences: false).map(String.init)
        for serial in 1...5 {
            var fields = template
            fields[0] = FanOutCitizenID.make("11010119000101" + String(format: "%03d", serial))
            out.append(fields.joined(separator: ","))
            expected.insert(Expected(id: fields[0], found: "not_found", name: nil, birth: nil))
        }
        try (out.joined(separator: "\n") + "\n").write(to: world.state.appendingPathComponent("agents/\(CrashRecoveryTests.consumer)/data/verify-RK-001.csv"),
                                                     atomically: true, encoding: .utf8)
        return expected
    }

    /// The answers in the consumer's sink for the planted records (the quickstart's own request answered others).
    static func answers(_ world: CrashRecoveryTests.World, for planted: Set<Expected>) throws -> Set<Expected> {
        let ids = Set(planted.map(\.id))
        let source = try SQLiteSource(path: world.state.appendingPathComponent("agents/\(CrashRecoveryTests.consumer)/data/verified.sqlite").path,
                                      table: "RK_001_verified", keyColumns: ["id_no"], cursorColumn: nil)
        let columns = try source.columns()
        var rows = Set<Expected>()
        try source.scan(after: nil) { row in
            func value(_ column: String) -> String? { row.values[columns.firstIndex(of: column)!] }
            if ids.contains(value("id_no")!) { rows.insert(Expected(id: value("id_no")!, found: value("found")!, name: value("xm"), birth: value("csrq"))) }
        }
        return rows
    }

    /// The hub's verification entries of the agreement, by action.
    static func audited(_ world: CrashRecoveryTests.World) async throws -> [String: [String]] {
        let list = try await GXBinary.run(["audit", "list", "--json", "--agreement", agreement, "--limit", "1000", "--hub", world.hub.url,
                                           "--token-file", world.state.appendingPathComponent("hub/auditor.token").path])
        struct Page: Decodable { var entries: [AuditEntry] }
        let entries = try JSONDecoder().decode(Page.self, from: Data(list.stdout.utf8)).entries
        return Dictionary(grouping: entries.filter { $0.action.hasPrefix("verification.") && $0.agreement == agreement }, by: \.action)
            .mapValues { $0.map(\.subject) }
    }

    @Test("planted mismatches, absent keys and full-width/whitespace variants come back exactly as planted, counted in the report")
    func plantedComeBackAsPlanted() async throws {
        let world = try await CrashRecoveryTests.world()
        defer { world.hub.stop() }
        let expected = try Self.plant(world)
        for config in [world.consumerConfig, world.providerConfig, world.consumerConfig] {
            let run = try await world.agent(config)
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        }
        #expect(try Self.answers(world, for: expected) == expected)
        let report = try await GXBinary.run(["exchange", "report", "--hub", world.hub.url,
                                             "--token-file", world.state.appendingPathComponent("hub/admin.token").path])
        // The quickstart's request (20 names planted wrong), then this one: 6 names and 6 birth dates wrong.
        let line = try #require(report.stdout.split(separator: "\n").first { $0.hasPrefix(Self.agreement) })
        #expect(line.contains("出生日期 6, 姓名 26"), "\(line)")
        let audited = try await Self.audited(world)
        #expect(audited["verification.answered"] == ["\(Self.agreement)#1", "\(Self.agreement)#2"])
        #expect(audited["verification.received"] == ["\(Self.agreement)#1", "\(Self.agreement)#2"])
    }

    @Test("requests and answers downloaded to sealed files instead of memory (GX_DELIVERY_MEMORY=0) come back the same")
    func plantedComeBackThroughFiles() async throws {
        let world = try await CrashRecoveryTests.world()
        defer { world.hub.stop() }
        let expected = try Self.plant(world)
        for config in [world.consumerConfig, world.providerConfig, world.consumerConfig] {
            let run = try await world.agent(config, environment: ["GX_DELIVERY_MEMORY": "0"])
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        }
        #expect(try Self.answers(world, for: expected) == expected)
    }

    @Test("a request naming an item outside the agreement is refused by the hub, and nothing is kept")
    func itemOutsideAgreementRefused() async throws {
        let world = try await CrashRecoveryTests.world()
        defer { world.hub.stop() }
        _ = try Self.plant(world)
        let config = try String(contentsOfFile: world.consumerConfig, encoding: .utf8)
        try (config + "\n[[verify.map]]\nitem = \"住址\"\ncolumn = \"zz\"\n").write(toFile: world.consumerConfig, atomically: true, encoding: .utf8)
        let run = try await world.agent(world.consumerConfig)
        #expect(run.status != 0)
        #expect(run.stderr.contains("住址") && run.stderr.contains("manifest.items"), "\(run.stderr)")
        let audited = try await Self.audited(world)
        #expect(audited["verification.requested"]?.count == 1, "only the quickstart's request")
    }

    @Test("another consumer, and the provider, cannot read the answers")
    func othersCannotReadAnswers() async throws {
        let world = try await CrashRecoveryTests.world()
        defer { world.hub.stop() }
        for (agency, status) in [("11110000000021020F", "403"), (CrashRecoveryTests.provider, "403"), (CrashRecoveryTests.consumer, "200")] {
            let token = try String(contentsOf: world.state.appendingPathComponent("agencies/\(agency).token"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let curl = try await ProcessRunner.run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Authorization: Bearer \(token)",
                                                                    "\(world.hub.url)/v1/agreements/\(Self.agreement)/verifications/1/answer"])
            #expect(curl.stdout == status, "\(agency)")
        }
    }

    @Test("an answer that skips or adds a record is refused by the hub; the provider's own answer is then accepted, once")
    func answerOutOfStepRefused() async throws {
        let world = try await CrashRecoveryTests.world()
        defer { world.hub.stop() }
        _ = try Self.plant(world)
        let asked = try await world.agent(world.consumerConfig)
        #expect(asked.status == 0, "\(asked.stderr)")
        let state = world.state.appendingPathComponent("agencies")
        let token = try String(contentsOf: state.appendingPathComponent("\(CrashRecoveryTests.provider).token"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let key = try SM2PrivateKey(pem: try String(contentsOf: state.appendingPathComponent("\(CrashRecoveryTests.provider).key"), encoding: .utf8))
        let client = AgentHubClient(baseURL: world.hub.url, token: token, logger: .init(label: "test"))
        let path = "/v1/agreements/\(Self.agreement)/verifications/2"
        let file = world.state.appendingPathComponent("request-2.deflate")
        let (manifest, signature) = try await client.download(path + "/request", to: file, what: "request")
        let request = try SignedDocument<VerificationRequest>(base64Content: manifest, base64Signature: signature, field: "manifest")
        let decoder = try BatchPayloadDecoder(valueCount: request.content.items.count, maximumRecordBytes: Int(request.content.records.bytes))
        var keys: [String] = []
        try decoder.consume([UInt8](try Data(contentsOf: file))) { record, _ in keys.append(record.values[0]!) }
        #expect(keys.count == 65)
        for answered in [Array(keys.dropLast()), keys + [FanOutCitizenID.make("11010119000101099")], Array(keys.dropFirst(1)) + [keys[0]]] {
            let encoder = try BatchPayloadEncoder()
            for key in answered { try encoder.append(CanonicalRecord(operation: .upsert, values: [key, "found", "match", "match"])) }
            try encoder.finish()
            let payload = world.state.appendingPathComponent("answer.deflate")
            try Data(encoder.takeWire()).write(to: payload)
            let digests = encoder.digests()
            let answer = try SignedDocument(signing: VerificationAnswer(
                agreementID: Self.agreement, provider: CrashRecoveryTests.provider, consumer: CrashRecoveryTests.consumer, resourceCode: "RK-001",
                sequence: 2, requestSM3: request.sm3, items: ["公民身份号码", "found", "姓名", "出生日期"], requests: Int64(answered.count),
                found: Int64(answered.count), mismatches: [ItemCount(item: "姓名", count: 0), ItemCount(item: "出生日期", count: 0)],
                records: digests.records, wire: digests.wire, createdAt: Timestamp.string(from: Date())), with: key)
            do {
                let _: VerificationAPI.Outcome = try await client.upload(path + "/answer", manifestBase64: answer.base64Content,
                                                                         signatureBase64: answer.base64Signature, payload: payload)
                Issue.record("an answer of \(answered.count) records to 65 was accepted")
            } catch AgentError.hubAnswer(let status, let message, let field) {
                #expect(status == 422 && field == "records", "\(message)")
            }
        }
        let answering = try await world.agent(world.providerConfig)
        #expect(answering.status == 0, "\(answering.stderr)")
        let audited = try await Self.audited(world)
        #expect(audited["verification.answered"] == ["\(Self.agreement)#1", "\(Self.agreement)#2"])
    }

    @Test("an agent killed mid-verification resumes with nothing asked or answered twice",
          arguments: [("consumer", "verifier.spooled"), ("consumer", "verifier.requested"), ("provider", "responder.answering"),
                      ("consumer", "verifier.applying"), ("consumer", "verifier.applied-unreceipted")])
    func killedMidRun(side: String, point: String) async throws {
        let world = try await CrashRecoveryTests.world()
        defer { world.hub.stop() }
        let expected = try Self.plant(world)
        let steps = [world.consumerConfig, world.providerConfig, world.consumerConfig]
        let crashing = point.hasPrefix("verifier.appl") ? 2 : (side == "provider" ? 1 : 0)
        for (index, config) in steps.enumerated() {
            if index == crashing {
                let crashed = try await world.agent(config, crashAt: point)
                #expect(crashed.status != 0, "the crash point \(point) was not reached")
            }
            let run = try await world.agent(config)
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        }
        #expect(try Self.answers(world, for: expected) == expected)
        let audited = try await Self.audited(world)
        #expect(audited["verification.requested"] == ["\(Self.agreement)#1", "\(Self.agreement)#2"])
        #expect(audited["verification.answered"] == ["\(Self.agreement)#1", "\(Self.agreement)#2"])
        #expect(audited["verification.received"] == ["\(Self.agreement)#1", "\(Self.agreement)#2"])
    }
}

/// `gx agent run --follow` at the provider: it answers requests as they arrive, and its run ends by itself.
@Suite("A verification provider following its consumers' requests")
struct FollowingVerificationProviderTests {
    static let agreement = VerificationProcessTests.agreement

    /// Runs a following agent whose log goes to `log` as it is written (to tell when it follows).
    static func follow(_ config: String, timeout: Int, log: URL) async throws -> ProcessResult {
        try await ProcessRunner.run("/bin/sh", ["-c", #"exec "$0" "$@" 2>"$GX_TEST_LOG""#, GXBinary.path,
                                                "agent", "run", "--follow", "--follow-timeout", String(timeout), "--config", config],
                                    environment: ["GX_TEST_LOG": log.path], directory: SampleDocuments.root)
    }

    static func log(_ file: URL) -> String { (try? String(contentsOf: file, encoding: .utf8)) ?? "" }

    @Test("a provider following before the consumer asks answers the request within its run, and the following consumer applies it the same night")
    func answersAsRequestsArrive() async throws {
        let world = try await CrashRecoveryTests.world()
        defer { world.hub.stop() }
        let expected = try VerificationProcessTests.plant(world)
        let providerLog = world.state.appendingPathComponent("provider-follow.log")
        let provider = Task.detached { try await Self.follow(world.providerConfig, timeout: 20, log: providerLog) }
        // The consumer asks only once the provider has pushed its pass and is waiting for requests.
        let deadline = ContinuousClock.now + .seconds(300)
        while !Self.log(providerLog).contains("following verification requests of \(Self.agreement)"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
        }
        try #require(Self.log(providerLog).contains("following verification requests of \(Self.agreement)"), "\(Self.log(providerLog).suffix(3000))")
        let consumed = try await Self.follow(world.consumerConfig, timeout: 120, log: world.state.appendingPathComponent("consumer-follow.log"))
        #expect(consumed.status == 0, "\(Self.log(world.state.appendingPathComponent("consumer-follow.log")).suffix(3000))")
        #expect(consumed.stdout.contains("verified \(Self.agreement): requests 2 (65 records), answers 2 (65 records"), "\(consumed.stdout)")
        let provided = try await provider.value
        let answering = Self.log(providerLog)
        #expect(provided.status == 0, "\(answering.suffix(3000))")
        #expect(answering.contains("\(Self.agreement): answer #2 accepted: 65 records"), "\(answering.suffix(3000))")
        #expect(answering.contains("no verification request arrived for 20 s: no longer following"), "\(answering.suffix(3000))")
        // The register was read and sorted while the provider waited, for the items of the last request.
        #expect(answering.contains("\(Self.agreement): register read ahead for the next request"), "\(answering.suffix(3000))")
        #expect(!answering.contains("read again"), "\(answering.suffix(3000))")
        #expect(provided.stdout.contains("answers 2 (65 records, 60 found"), "\(provided.stdout)")
        #expect(try VerificationProcessTests.answers(world, for: expected) == expected)
        let audited = try await VerificationProcessTests.audited(world)
        #expect(audited["verification.answered"] == ["\(Self.agreement)#1", "\(Self.agreement)#2"])
        #expect(audited["verification.received"] == ["\(Self.agreement)#1", "\(Self.agreement)#2"])
    }

    @Test("an export rewritten after the register was read ahead is read again: the answer is about the register as it is when the request arrives")
    func readAheadRegisterRefreshed() async throws {
        let world = try await CrashRecoveryTests.world()
        defer { world.hub.stop() }
        var expected = try VerificationProcessTests.plant(world)
        let providerLog = world.state.appendingPathComponent("provider-follow.log")
        let provider = Task.detached { try await Self.follow(world.providerConfig, timeout: 20, log: providerLog) }
        let deadline = ContinuousClock.now + .seconds(300)
        while !Self.log(providerLog).contains("register read ahead for the next request"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
        }
        try #require(Self.log(providerLog).contains("register read ahead for the next request"), "\(Self.log(providerLog).suffix(3000))")
        // The register's first person changes name after it was read ahead: the consumer's record now mismatches.
        let exportFile = world.state.appendingPathComponent("agents/\(CrashRecoveryTests.provider)/data/RK-001.csv")
        var lines = try String(contentsOf: exportFile, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var fields = lines[1].split(separator: ",", maxSplits: 5, omittingEmptySubsequences: false).map(String.init)
        fields[1] += "改"
        lines[1] = fields.joined(separator: ",")
        try lines.joined(separator: "\n").write(to: exportFile, atomically: true, encoding: .utf8)
        let changed = try #require(expected.first { $0.id == fields[0] })
        #expect(changed.name == "match")
        expected.remove(changed)
        expected.insert(VerificationProcessTests.Expected(id: changed.id, found: "found", name: "mismatch", birth: changed.birth))

        let consumed = try await Self.follow(world.consumerConfig, timeout: 120, log: world.state.appendingPathComponent("consumer-follow.log"))
        #expect(consumed.status == 0, "\(Self.log(world.state.appendingPathComponent("consumer-follow.log")).suffix(3000))")
        let provided = try await provider.value
        let answering = Self.log(providerLog)
        #expect(provided.status == 0, "\(answering.suffix(3000))")
        #expect(answering.contains("\(Self.agreement): request #2 asks other items than the register read ahead, or the export changed since: read again"),
                "\(answering.suffix(3000))")
        #expect(try VerificationProcessTests.answers(world, for: expected) == expected)
    }

    @Test("a following provider no consumer asks ends after the idle timeout, exit 0")
    func endsWhenNoRequestComes() async throws {
        let world = try await CrashRecoveryTests.world()
        defer { world.hub.stop() }
        let log = world.state.appendingPathComponent("provider-follow.log")
        let started = ContinuousClock.now
        let provided = try await Self.follow(world.providerConfig, timeout: 3, log: log)
        #expect(provided.status == 0, "\(Self.log(log).suffix(3000))")
        #expect(ContinuousClock.now - started >= .seconds(3))
        let following = Self.log(log)
        #expect(following.contains("following verification requests of \(Self.agreement) until none arrives for 3 s"), "\(following.suffix(3000))")
        #expect(following.contains("no verification request arrived for 3 s: no longer following"), "\(following.suffix(3000))")
        let audited = try await VerificationProcessTests.audited(world)
        #expect(audited["verification.answered"] == ["\(Self.agreement)#1"], "only the quickstart's answer")
    }
}

/// `gx agent run --follow` at the consumer: it sends its request, waits for the answer and applies it.
@Suite("A verification consumer following its answer")
struct FollowingVerificationConsumerTests {
    static let agreement = VerificationProcessTests.agreement

    /// Verification lists the hub has served (`GET /v1/agreements/{id}/verifications`), from its metrics.
    static func listings(_ world: CrashRecoveryTests.World) async throws -> Int {
        let token = try String(contentsOfFile: world.state.appendingPathComponent("hub/admin.token").path, encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let metrics = try await ProcessRunner.run("/usr/bin/curl", ["-fsS", "-H", "Authorization: Bearer \(token)", "\(world.hub.url)/metrics"])
        try #require(metrics.status == 0, "\(metrics.stderr)")
        return metrics.stdout.split(separator: "\n")
            .filter { $0.hasPrefix("gongxiang_http_request_duration_seconds_count{") && $0.contains(#"method="GET""#) && $0.contains(#"/verifications""#) }
            .compactMap { $0.split(separator: " ").last.flatMap { Int($0) } }
            .reduce(0, +)
    }

    @Test("a following consumer waits for its answer in one ask the hub holds open, then applies it")
    func waitsInOneHeldAsk() async throws {
        let world = try await CrashRecoveryTests.world()
        defer { world.hub.stop() }
        let expected = try VerificationProcessTests.plant(world)
        let log = world.state.appendingPathComponent("consumer-follow.log")
        let consumer = Task.detached { try await FollowingVerificationProviderTests.follow(world.consumerConfig, timeout: 120, log: log) }
        let deadline = ContinuousClock.now + .seconds(300)
        while !FollowingVerificationProviderTests.log(log).contains("\(Self.agreement): request #2 accepted"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
        }
        try #require(FollowingVerificationProviderTests.log(log).contains("\(Self.agreement): request #2 accepted"),
                     "\(FollowingVerificationProviderTests.log(log).suffix(3000))")
        // While no answer comes, the consumer's ask stays open at the hub: at most the list after its push and
        // the held ask, where asking again each second (its own request ending every wait) made four or more.
        let before = try await Self.listings(world)
        try await Task.sleep(for: .seconds(4))
        let during = try await Self.listings(world) - before
        #expect(during <= 2, "the consumer asked the hub \(during) times while waiting 4 s for its answer")
        let provided = try await world.agent(world.providerConfig)
        #expect(provided.status == 0, "\(provided.stdout)\(provided.stderr)")
        let consumed = try await consumer.value
        #expect(consumed.status == 0, "\(FollowingVerificationProviderTests.log(log).suffix(3000))")
        #expect(consumed.stdout.contains("verified \(Self.agreement): requests 2 (65 records), answers 2 (65 records"), "\(consumed.stdout)")
        #expect(try VerificationProcessTests.answers(world, for: expected) == expected)
    }
}

/// GB 11643 check characters for planted ID numbers.
enum FanOutCitizenID {
    static func make(_ body: String) -> String {
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let sum = zip(body, weights).reduce(0) { $0 + Int(String($1.0))! * $1.1 }
        return body + String(Array("10X98765432")[sum % 11])
    }
}
