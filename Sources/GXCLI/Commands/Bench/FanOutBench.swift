import AsyncHTTPClient
import Foundation
import GXCrypto
import GXDomain
import GXHub
import NIOCore

/// `gx bench --fanout 1,40`: the memory of a hub process while pushed batches fan out to many consumers.
struct FanOutBench {
    let rows: Int
    let consumers: [Int]
    let pushes: Int
    let rounds: Int
    let documents: String
    let work: String?
    let json: String?
    let hubGx: String?

    static func counts(_ list: String) -> [Int] {
        list.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    func run() async throws {
        let documents = URL(fileURLWithPath: documents)
        let directory = URL(fileURLWithPath: work ?? FileManager.default.temporaryDirectory.appendingPathComponent("gx-fanout-\(UUID().uuidString.prefix(8))").path)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { if work == nil { try? FileManager.default.removeItem(at: directory) } }
        let gx = hubGx ?? URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        var figures: [[String: Double]] = []
        var table = TextTable("CONSUMERS", "PUSHES AT ONCE", "ROWS", "ROUNDS", "PEAK RSS MB", "IDLE RSS MB", "PUSH SECONDS")
        for count in consumers {
            let run = FanOutRun(directory: directory.appendingPathComponent("consumers-\(count)"), gx: gx, documents: documents,
                                consumers: count, resources: pushes, rows: rows)
            let result = try await run.measure(rounds: rounds)
            table.add(String(count), String(pushes), String(rows), String(rounds), String(format: "%.0f", result.peakMB),
                      String(format: "%.0f", result.idleMB), String(format: "%.2f", result.seconds))
            figures.append(["consumers": Double(count), "pushes": Double(pushes), "rows": Double(rows), "rounds": Double(rounds),
                            "peak_rss_mb": result.peakMB, "idle_rss_mb": result.idleMB, "seconds": result.seconds])
            Console.note("\(count) consumers: peak \(String(format: "%.0f", result.peakMB)) MB, idle \(String(format: "%.0f", result.idleMB)) MB")
        }
        print(table.render())
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(figures).write(to: URL(fileURLWithPath: json))
        }
    }
}

/// One hub process measured under one fan-out.
struct FanOutRun {
    let directory: URL
    let gx: String
    let documents: URL
    let consumers: Int
    let resources: Int
    let rows: Int

    struct Result {
        var peakMB: Double
        var idleMB: Double
        var seconds: Double
    }

    struct Party {
        let code: String
        let key: SM2PrivateKey
        let token: String
    }

    func measure(rounds: Int) async throws -> Result {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let log = directory.appendingPathComponent("run.log").path
        let database = directory.appendingPathComponent("hub.sqlite").path
        guard try await MeasuredProcess.run(gx, ["hub", "init", "--db", database], log: log).status == 0 else {
            throw CLIError("gx hub init failed; see \(log)")
        }
        let port = try FreePort.pick()
        let url = "http://127.0.0.1:\(port)"
        let hub = try MeasuredProcess.start(gx, ["hub", "serve", "--db", database, "--listen", "127.0.0.1:\(port)", "--log-level", "warning"],
                                            log: directory.appendingPathComponent("hub.log").path)
        defer { _ = hub.terminate() }
        try await waitUntilServing(url)
        let admin = HubClient(baseURL: url, token: try SecretFile.read(directory.appendingPathComponent("admin.token").path)
            .trimmingCharacters(in: .whitespacesAndNewlines))
        let (provider, codes) = try await setUp(admin, url: url)
        let started = ContinuousClock.now
        for round in 1...rounds {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for code in codes {
                    group.addTask { try await push(resource: code, sequence: Int64(round), as: provider, url: url) }
                }
                try await group.waitForAll()
            }
        }
        let seconds = (ContinuousClock.now - started) / .seconds(1)
        try await Task.sleep(for: .seconds(2))
        let status = try String(contentsOfFile: "/proc/\(hub.pid)/status", encoding: .utf8)
        func kilobytes(_ field: String) -> Double {
            let line = status.split(separator: "\n").first { $0.hasPrefix(field + ":") } ?? ""
            return Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        }
        return Result(peakMB: kilobytes("VmHWM") / 1024, idleMB: kilobytes("VmRSS") / 1024, seconds: seconds)
    }

    /// The provider, `consumers` consumers, `resources` copies of RK-001 and an agreement for each pair, filed.
    func setUp(_ admin: HubClient, url: String) async throws -> (Party, [String]) {
        let catalogueFile = documents.appendingPathComponent("Catalogue/RK-001-population.toml").path
        let template = try TOMLDocument.decode(CatalogueEntry.self, from: try SecretFile.read(catalogueFile), source: catalogueFile)
        let termsFile = documents.appendingPathComponent("Agreements/BJ-GX-2026-004-population-to-social-security.toml").path
        let terms = try TOMLDocument.decode(AgreementTerms.self, from: try SecretFile.read(termsFile), source: termsFile)
        func register(_ code: String, role: AgencyRole) async throws -> Party {
            let key = try SM2PrivateKey.generate()
            let registered: HubAPI.RegisteredAgency = try await admin.post(
                "/v1/agencies", HubAPI.RegisterAgency(code: code, name: "bench \(code)", publicKey: key.publicKey.pem, roles: [role]))
            return Party(code: code, key: key, token: registered.credential.token)
        }
        let provider = try await register(template.provider, role: .provider)
        var parties: [Party] = []
        for index in 0..<consumers { parties.append(try await register(Self.agencyCode(index), role: .consumer)) }
        var codes: [String] = []
        for resource in 0..<resources {
            var entry = template
            entry.resourceCode = resources == 1 ? template.resourceCode : "RK-9\(String(format: "%02d", resource))"
            let _: CatalogueEntry = try await admin.post("/v1/catalogue", entry)
            codes.append(entry.resourceCode)
            for party in parties {
                var agreement = terms
                agreement.id = "BENCH-\(entry.resourceCode)-\(party.code)"
                agreement.consumer = party.code
                agreement.resourceCode = entry.resourceCode
                let _: HubAPI.AgreementView = try await admin.post("/v1/agreements", agreement)
                for signer in [party, provider] {
                    let client = HubClient(baseURL: url, token: signer.token)
                    let signature = try signer.key.signature(for: agreement.canonicalBytes)
                    let _: HubAPI.AgreementView = try await client.post("/v1/agreements/\(agreement.id)/signatures",
                                                                         HubAPI.Sign(signature: Data(signature).base64EncodedString()))
                }
                let _: HubAPI.AgreementView = try await admin.post("/v1/agreements/\(agreement.id)/filing",
                                                                   HubAPI.Filing(acknowledgedLevels: agreement.levelsToAcknowledge(in: entry)))
            }
        }
        return (provider, codes)
    }

    /// A well-formed 统一社会信用代码 of a sample 机关 (its embedded 组织机构代码 checked too).
    static func agencyCode(_ index: Int) -> String {
        let first8 = String(format: "%08d", 90_000 + index)
        let organization = first8 + String(OrganizationCode.checkCharacter(forFirst8: first8)!)
        let first17 = "11110000" + organization
        return first17 + String(UnifiedSocialCreditCode.checkCharacter(forFirst17: first17)!)
    }

    /// A batch of `rows` distinct 人口 records, signed by the provider, pushed as an agent would.
    func push(resource: String, sequence: Int64, as provider: Party, url: String) async throws {
        let items = ["公民身份号码", "姓名", "性别代码", "民族代码", "出生日期", "住址", "户籍地行政区划", "人员状态代码", "婚姻状况代码", "联系电话"]
        let encoder = try BatchPayloadEncoder()
        var payload: [UInt8] = []
        let born = DateComponents(calendar: Calendar(identifier: .gregorian), timeZone: TimeZone(identifier: "UTC"), year: 1950, month: 1, day: 1).date!
        let day = DateFormatter()
        day.dateFormat = "yyyyMMdd"
        day.timeZone = TimeZone(identifier: "UTC")
        for row in 0..<rows {
            let date = day.string(from: born.addingTimeInterval(Double(row / 1000) * 86_400))
            let id = Self.citizenID(region: "110101", birth: date, serial: row % 1000)
            let birth = "\(date.prefix(4))-\(date.dropFirst(4).prefix(2))-\(date.suffix(2))"
            try encoder.append(CanonicalRecord(operation: .upsert, values: [id, "张三\(sequence)", "1", "01", birth, "北京市东城区东华门街道\(row)号",
                                                                            "110101", "0", "10", "13800000000"]))
            if encoder.pendingWireBytes > 1 << 20 { payload += encoder.takeWire() }
        }
        try encoder.finish()
        payload += encoder.takeWire()
        let digests = encoder.digests()
        let manifest = BatchManifest(provider: provider.code, resourceCode: resource, schemaVersion: "1.0", sequence: sequence, items: items,
                                     changes: ChangeRange(mode: .snapshot, generation: sequence, full: sequence == 1), counts: encoder.counts,
                                     quarantine: [], records: digests.records, wire: digests.wire, createdAt: Timestamp.string(from: Date()),
                                     endsPass: true)
        let signed = try SignedDocument(signing: manifest, with: provider.key)
        var request = HTTPClientRequest(url: "\(url)/v1/resources/\(resource)/batches")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(provider.token)")
        request.headers.add(name: ExchangeAPI.manifestHeader, value: signed.base64Content)
        request.headers.add(name: ExchangeAPI.signatureHeader, value: signed.base64Signature)
        request.body = .bytes(ByteBuffer(bytes: payload))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(600))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .created else {
            throw CLIError("push of \(resource)#\(sequence) answered \(response.status.code): \(String(buffer: body))")
        }
    }

    /// A GB 11643 citizen ID number with its check character.
    static func citizenID(region: String, birth: String, serial: Int) -> String {
        let body = region + birth + String(format: "%03d", serial)
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let sum = zip(body, weights).reduce(0) { $0 + Int(String($1.0))! * $1.1 }
        return body + String(Array("10X98765432")[sum % 11])
    }

    private func waitUntilServing(_ url: String) async throws {
        for _ in 0..<200 {
            if let probe = try? await MeasuredProcess.run("/usr/bin/curl", ["-fsS", "-o", "/dev/null", "\(url)/healthz"], log: "/dev/null"), probe.status == 0 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CLIError("the hub did not come up; see \(directory.appendingPathComponent("hub.log").path)")
    }
}
