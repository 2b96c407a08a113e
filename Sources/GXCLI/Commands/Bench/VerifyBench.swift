import ArgumentParser
import Foundation
import GXCrypto
import GXDomain
import GXHub

/// `gx bench verify`: a verification (比对核实) of N records against an N-row register, through the exchange
/// — the consumer's agent sending its request, the provider's agent answering from its export by a streaming
/// merge of sorted runs, the consumer's agent applying the answers, a hub on SQLite between them — against
/// the plain way an agency would script it: `sort` both exports and `join` them.
struct VerifyBench {
    let rows: Int
    let seed: UInt64
    let work: String?
    let documents: String
    let json: String?

    struct Figure: Codable {
        var path: String
        var seconds: Double
        var records: Int
        var recordsPerSecond: Double
        var peakRSSMB: [String: Double]
        var cpuSeconds: [String: Double]
        var mismatches: Int

        enum CodingKeys: String, CodingKey {
            case path, seconds, records, recordsPerSecond = "records_per_second", peakRSSMB = "peak_rss_mb", cpuSeconds = "cpu_seconds", mismatches
        }
    }

    func run() async throws {
        let documents = URL(fileURLWithPath: documents)
        let directory = URL(fileURLWithPath: work ?? FileManager.default.temporaryDirectory.appendingPathComponent("gx-verify-\(UUID().uuidString.prefix(8))").path)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { if work == nil { try? FileManager.default.removeItem(at: directory) } }
        let gx = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let log = directory.appendingPathComponent("run.log").path
        let register = directory.appendingPathComponent("register.csv").path
        let records = directory.appendingPathComponent("records.csv").path
        Console.note("generating \(rows) rows of RK-001 and the records to check")
        try await MeasuredProcess.run(gx, ["sample", "--resource", "RK-001", "--rows", String(rows), "--seed", String(seed), "--out", register], log: log)
        let planted = try Self.plantMismatches(from: register, to: records, every: 100)

        Console.note("baseline: sort + join")
        let baseline = try await baselineRun(directory: directory, register: register, records: records)
        Console.note("gongxiang: request, answer, apply")
        let gongxiang = try await VerifyRun(directory: directory.appendingPathComponent("gongxiang"), gx: gx, documents: documents,
                                            register: register, records: records, rows: rows).measure()
        var table = TextTable("PATH", "WALL S", "RECORDS", "RECORDS/S", "MISMATCHES", "PEAK RSS MB", "CPU S")
        for figure in [baseline, gongxiang] {
            table.add(figure.path, String(format: "%.2f", figure.seconds), String(figure.records), String(format: "%.0f", figure.recordsPerSecond),
                      String(figure.mismatches),
                      figure.peakRSSMB.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.0f", $0.value))" }.joined(separator: ", "),
                      figure.cpuSeconds.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.1f", $0.value))" }.joined(separator: ", "))
        }
        print("gx bench verify: \(rows) records against \(rows) register rows of RK-001, \(planted) names planted different; seed \(seed)")
        print(table.render())
        print(String(format: "ratio Gongxiang / script: %.2f", gongxiang.seconds / baseline.seconds))
        guard baseline.mismatches == planted, gongxiang.mismatches == planted else {
            throw CLIError("expected \(planted) name mismatches; the script found \(baseline.mismatches), Gongxiang \(gongxiang.mismatches)")
        }
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode([baseline, gongxiang]).write(to: URL(fileURLWithPath: json))
        }
    }

    /// The register's rows with every `every`-th name changed (the 姓名 column `xm`): the consumer's records.
    static func plantMismatches(from register: String, to records: String, every: Int) throws -> Int {
        guard let input = FileHandle(forReadingAtPath: register),
              FileManager.default.createFile(atPath: records, contents: nil), let output = FileHandle(forWritingAtPath: records) else {
            throw CLIError("cannot read \(register) or write \(records)")
        }
        defer { try? input.close(); try? output.close() }
        var pending: [UInt8] = [], out: [UInt8] = []
        var line = 0, planted = 0
        let mark = Array("某".utf8)
        while true {
            let chunk = try input.read(upToCount: 4 << 20) ?? Data()
            pending.append(contentsOf: chunk)
            var start = 0
            while let end = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                let text = pending[start..<end]
                if line > 0, line % every == 0, let first = text.firstIndex(of: UInt8(ascii: ",")),
                   let second = text[(first + 1)...].firstIndex(of: UInt8(ascii: ",")) {
                    // Inside the quotes of a quoted name.
                    let at = pending[second - 1] == UInt8(ascii: "\"") && second - 1 > first + 1 ? second - 1 : second
                    out.append(contentsOf: pending[start..<at])
                    out.append(contentsOf: mark)
                    out.append(contentsOf: pending[at...end])
                    planted += 1
                } else {
                    out.append(contentsOf: pending[start...end])
                }
                line += 1
                start = end + 1
            }
            pending.removeSubrange(0..<start)
            if out.count > 4 << 20 || chunk.isEmpty {
                try output.write(contentsOf: out)
                out.removeAll(keepingCapacity: true)
            }
            if chunk.isEmpty { break }
        }
        return planted
    }

    /// The script's answers whose name (the third field) is `mismatch`, read in chunks: at 10 M rows the file
    /// is 300 MB, and this process's memory is not what the benchmark measures.
    static func nameMismatches(inAnswers path: String) throws -> Int {
        guard let input = FileHandle(forReadingAtPath: path) else { throw CLIError("cannot read \(path)") }
        defer { try? input.close() }
        let word = Array("mismatch".utf8)
        var pending: [UInt8] = [], count = 0
        while true {
            let chunk = try input.read(upToCount: 4 << 20) ?? Data()
            pending.append(contentsOf: chunk)
            var start = 0
            while let end = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                let fields = pending[start..<end].split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
                if fields.count > 2, fields[2].elementsEqual(word) { count += 1 }
                start = end + 1
            }
            pending.removeSubrange(0..<start)
            if chunk.isEmpty { break }
        }
        return count
    }

    /// What an agency would script: both exports cut to the key and the checked columns, sorted, joined.
    func baselineRun(directory: URL, register: String, records: String) async throws -> Figure {
        let folder = directory.appendingPathComponent("baseline")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let script = folder.appendingPathComponent("verify.sh").path
        try """
            #!/bin/sh
            # Verification as a script: the key, name and birth date of both exports, sorted and joined;
            # per record found/not_found and match/mismatch for each item.
            set -e
            export LC_ALL=C
            cd "\(folder.path)"
            tail -n +2 "\(register)" | cut -d, -f1,2,5 | sort -t, -k1,1 -S 200M -T . > register.sorted
            tail -n +2 "\(records)" | cut -d, -f1,2,5 | sort -t, -k1,1 -S 200M -T . > records.sorted
            join -t, -a1 -e NULL -o 0,1.2,1.3,2.2,2.3 records.sorted register.sorted | awk -F, '{
              if ($4 == "NULL") print $1 ",not_found,,"; else print $1 ",found," ($2 == $4 ? "match" : "mismatch") "," ($3 == $5 ? "match" : "mismatch") }' > answers.csv
            """.write(toFile: script, atomically: true, encoding: .utf8)
        let outcome = try await MeasuredProcess.run("/bin/sh", [script], log: folder.appendingPathComponent("run.log").path)
        let mismatches = try Self.nameMismatches(inAnswers: folder.appendingPathComponent("answers.csv").path)
        return Figure(path: "script (sort + join)", seconds: outcome.seconds, records: rows, recordsPerSecond: Double(rows) / outcome.seconds,
                      peakRSSMB: ["script": Double(outcome.peakRSS) / 1_048_576], cpuSeconds: ["script": outcome.cpuSeconds], mismatches: mismatches)
    }
}

/// One verification through a hub on SQLite and two agents, each process measured.
struct VerifyRun {
    let directory: URL
    let gx: String
    let documents: URL
    let register: String
    let records: String
    let rows: Int

    static let agreement = "BENCH-VERIFY-001"
    static let consumerCode = FanOutRun.agencyCode(0)

    func measure() async throws -> VerifyBench.Figure {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let log = directory.appendingPathComponent("run.log").path
        let database = directory.appendingPathComponent("hub.sqlite").path
        try await MeasuredProcess.run(gx, ["hub", "init", "--db", database], log: log)
        let port = try FreePort.pick()
        let url = "http://127.0.0.1:\(port)"
        let hub = try MeasuredProcess.start(gx, ["hub", "serve", "--db", database, "--listen", "127.0.0.1:\(port)", "--log-level", "warning"],
                                            log: directory.appendingPathComponent("hub.log").path)
        var hubStopped = false
        defer { if !hubStopped { _ = hub.terminate() } }
        try await waitUntilServing(url)
        let admin = HubClient(baseURL: url, token: try SecretFile.read(directory.appendingPathComponent("admin.token").path)
            .trimmingCharacters(in: .whitespacesAndNewlines))
        let (provider, consumer) = try await setUp(admin, url: url)
        let providerConfig = try writeConfig(provider, url: url, section: """
            [[answer]]
            resource = "RK-001"
            [answer.source]
            kind = "csv"
            path = "\(register)"
            key = ["id_no"]
            \(Self.map("answer"))
            """)
        let consumerConfig = try writeConfig(consumer, url: url, section: """
            [[verify]]
            agreement = "\(Self.agreement)"
            [verify.source]
            kind = "csv"
            path = "\(records)"
            key = ["id_no"]
            [verify.sink]
            kind = "sqlite"
            path = "\(directory.appendingPathComponent("consumer/verified.sqlite").path)"
            table = "verified"
            key = ["id_no"]
            create = true
            \(Self.map("verify"))
            """)
        // As the nightly unit runs agents, both at once and following: the consumer's run sends its request,
        // waits for the answer and applies it; the provider's reads its register ahead, answers the request
        // when it arrives and goes on waiting for more (it is stopped once the consumer has applied).
        let started = ContinuousClock.now
        let gx = self.gx
        let consumerLog = directory.appendingPathComponent("consumer.log").path
        let providerAgent = try MeasuredProcess.start(gx, ["agent", "run", "--follow", "--follow-timeout", "86400", "--config", providerConfig],
                                                 log: directory.appendingPathComponent("provider.log").path)
        var providerStopped = false
        defer { if !providerStopped { _ = providerAgent.terminate() } }
        let consumerAgent = try MeasuredProcess.start(gx, ["agent", "run", "--follow", "--follow-timeout", "86400", "--config", consumerConfig], log: consumerLog)
        // A provider that ended would leave the consumer waiting for its answer all night: it is stopped then.
        let watch = Task.detached {
            while !Task.isCancelled, !providerAgent.hasEnded() { try? await Task.sleep(for: .milliseconds(200)) }
            if !Task.isCancelled { _ = kill(consumerAgent.pid, SIGTERM) }
        }
        let consuming = await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: consumerAgent.wait()) }.start()
        }
        watch.cancel()
        guard consuming.status == 0 else {
            throw CLIError("the consumer's agent exited with status \(consuming.status) (see \(consumerLog) and \(directory.appendingPathComponent("provider.log").path))")
        }
        let seconds = (ContinuousClock.now - started) / .seconds(1)
        let hubCPU = hub.cpuSecondsSoFar() ?? 0
        let providerCPU = providerAgent.cpuSecondsSoFar() ?? 0
        // Read while it runs: an agent stops at once on SIGTERM, before `terminate` samples it.
        let providerPeak = HighWaterWatch.highWater(of: providerAgent.pid) ?? 0
        let answering = providerAgent.terminate()
        providerStopped = true
        let listing: VerificationAPI.Listing = try await admin.get("/v1/agreements/\(Self.agreement)/verifications")
        let hubOutcome = hub.terminate()
        hubStopped = true
        let mismatches = listing.verifications.last?.answer?.mismatches.first { $0.item == "姓名" }?.count ?? -1
        return VerifyBench.Figure(path: "gongxiang (hub on SQLite)", seconds: seconds, records: rows, recordsPerSecond: Double(rows) / seconds,
                                  peakRSSMB: ["consumer": Double(consuming.peakRSS) / 1_048_576, "provider": Double(max(providerPeak, answering.peakRSS)) / 1_048_576,
                                              "hub": Double(hubOutcome.peakRSS) / 1_048_576],
                                  cpuSeconds: ["consumer": consuming.cpuSeconds, "provider": providerCPU, "hub": hubCPU],
                                  mismatches: Int(mismatches))
    }

    /// The export's key, name and birth date mapped to the catalogue (as `gx sample --print-mapping` maps them).
    static func map(_ section: String) -> String {
        """
        [[\(section).map]]
        item = "公民身份号码"
        column = "id_no"
        [[\(section).map]]
        item = "姓名"
        column = "xm"
        [[\(section).map]]
        item = "出生日期"
        column = "csrq"
        convert = "date:YYYYMMDD"
        """
    }

    func writeConfig(_ party: FanOutRun.Party, url: String, section: String) throws -> String {
        let folder = directory.appendingPathComponent(party.code == Self.consumerCode ? "consumer" : "provider")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try party.token.write(to: folder.appendingPathComponent("agency.token"), atomically: true, encoding: .utf8)
        try party.key.pkcs8PEM.write(to: folder.appendingPathComponent("agency.key"), atomically: true, encoding: .utf8)
        let config = folder.appendingPathComponent("agent.toml").path
        try """
            hub = "\(url)"
            agency = "\(party.code)"
            token_file = "agency.token"
            key_file = "agency.key"
            state_dir = "state"

            \(section)
            """.write(toFile: config, atomically: true, encoding: .utf8)
        return config
    }

    /// The provider, the consumer, RK-001 and a filed verification agreement between them.
    func setUp(_ admin: HubClient, url: String) async throws -> (FanOutRun.Party, FanOutRun.Party) {
        let catalogueFile = documents.appendingPathComponent("Catalogue/RK-001-population.toml").path
        let entry = try TOMLDocument.decode(CatalogueEntry.self, from: try SecretFile.read(catalogueFile), source: catalogueFile)
        let termsFile = documents.appendingPathComponent("Agreements/BJ-GX-2026-005-population-verification-for-social-security.toml").path
        var terms = try TOMLDocument.decode(AgreementTerms.self, from: try SecretFile.read(termsFile), source: termsFile)
        func register(_ code: String, role: AgencyRole) async throws -> FanOutRun.Party {
            let key = try SM2PrivateKey.generate()
            let registered: HubAPI.RegisteredAgency = try await admin.post(
                "/v1/agencies", HubAPI.RegisterAgency(code: code, name: "bench \(code)", publicKey: key.publicKey.pem, roles: [role]))
            return FanOutRun.Party(code: code, key: key, token: registered.credential.token)
        }
        let provider = try await register(entry.provider, role: .provider)
        let consumer = try await register(Self.consumerCode, role: .consumer)
        let _: CatalogueEntry = try await admin.post("/v1/catalogue", entry)
        terms.id = Self.agreement
        terms.consumer = consumer.code
        let _: HubAPI.AgreementView = try await admin.post("/v1/agreements", terms)
        for signer in [consumer, provider] {
            let client = HubClient(baseURL: url, token: signer.token)
            let signature = try signer.key.signature(for: terms.canonicalBytes)
            let _: HubAPI.AgreementView = try await client.post("/v1/agreements/\(terms.id)/signatures", HubAPI.Sign(signature: Data(signature).base64EncodedString()))
        }
        let _: HubAPI.AgreementView = try await admin.post("/v1/agreements/\(terms.id)/filing",
                                                           HubAPI.Filing(acknowledgedLevels: terms.levelsToAcknowledge(in: entry)))
        return (provider, consumer)
    }

    private func waitUntilServing(_ url: String) async throws {
        for _ in 0..<200 {
            if let probe = try? await MeasuredProcess.run("/usr/bin/curl", ["-fsS", "-o", "/dev/null", "\(url)/healthz"], log: "/dev/null"), probe.status == 0 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CLIError("the hub did not come up; see \(directory.appendingPathComponent("hub.log").path)")
    }
}
