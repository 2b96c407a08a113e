import ArgumentParser
import Foundation
import GXCrypto
import GXDomain
import GXHub
import GXPostgres
import GXStorage
import Logging

/// `gx bench report`: how fast the oversight reports answer from the night totals at the scale of the
/// Beijing model (40 agencies, 550 pairs, a year of nights), on SQLite and on PostgreSQL.
struct ReportBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Time the compliance and statistics reports over PAIRS agreements × NIGHTS nights of exchange, on both stores.",
        discussion: """
            Fills a fresh hub store through the store's own writes, as the hub commits them: 40 agencies, one resource \
            per 11 pairs, PAIRS active daily agreements, and for each of NIGHTS nights (ending last night) a pass per \
            resource, its deliveries and the consumers' receipts (every 13th night a pass is missed, every 17th a \
            receipt comes late, every 29th never). Then it times, best of three: compliance for the last month and \
            for the whole span, compliance of one agency for the span, statistics for the year and for one month. \
            SQLite always; PostgreSQL with --postgres (a server where it may create a database). Run it from the \
            repository root (it reads Agreements/ and Catalogue/), or name that folder with --documents.
            """)

    @Option(help: "Agreements (sharing pairs).") var pairs = 550
    @Option(help: "Nights of exchange.") var nights = 365
    /// `gx bench`'s --postgres, --work and --documents: ArgumentParser gives options the parent declares to the parent.
    @OptionGroup var bench: BenchCommand
    var postgres: String? { bench.postgres }
    var work: String? { bench.work }
    var documents: String { bench.documents }

    struct Figure: Encodable {
        var store: String
        var query: String
        var seconds: Double
        var rows: Int
    }

    func validate() throws {
        guard pairs >= 2, nights >= 1, nights <= 3650 else { throw ValidationError("--pairs must be at least 2 and --nights from 1 to 3650") }
    }

    func run() async throws {
        let directory = URL(fileURLWithPath: work ?? FileManager.default.temporaryDirectory.appendingPathComponent("gx-bench-report-\(UUID().uuidString.prefix(8))").path)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { if work == nil { try? FileManager.default.removeItem(at: directory) } }
        let world = try World(documents: URL(fileURLWithPath: documents), pairs: pairs, nights: nights)
        var figures: [Figure] = []
        let sqlitePath = directory.appendingPathComponent("report.sqlite").path
        try? FileManager.default.removeItem(atPath: sqlitePath)
        figures += try await measure("sqlite", try SQLiteHubStore(path: sqlitePath), world, directory)
        if let postgres {
            var server = try PostgresSettings.parse(postgres)
            let environment = server.password.map { ["PGPASSWORD": $0] } ?? [:]
            let name = "gx_bench_report"
            for sql in ["DROP DATABASE IF EXISTS \(name) WITH (FORCE)", "CREATE DATABASE \(name)"] {
                _ = try await MeasuredProcess.run("/usr/bin/env", ["psql", server.description, "-v", "ON_ERROR_STOP=1", "-qc", sql],
                                                  log: directory.appendingPathComponent("psql.log").path, environment: environment)
            }
            server.database = name
            var logger = Logger(label: "gongxiang.store")
            logger.logLevel = .warning
            figures += try await PostgresHubStore.withStore(settings: server, logger: logger) { store in
                try await measure("postgresql", store, world, directory)
            }
        } else {
            Console.note("no --postgres: SQLite only")
        }
        var table = TextTable("STORE", "QUERY", "SECONDS", "ROWS")
        for f in figures { table.add(f.store, f.query, String(format: "%.3f", f.seconds), String(f.rows)) }
        print("gx bench report: \(pairs) pairs × \(nights) nights")
        print(table.render())
    }

    func measure(_ label: String, _ store: any HubStore, _ world: World, _ directory: URL) async throws -> [Figure] {
        let fillStart = ContinuousClock.now
        try await world.fill(store) { night in
            if night % 30 == 0 { Console.note("\(label): \(night) of \(world.nights) nights filled") }
        }
        let fill = ContinuousClock.now - fillStart
        var figures = [Figure(store: label, query: "fill (\(world.nights * (world.pairs + world.resources.count)) totals rows, through the store's writes)",
                              seconds: fill.seconds, rows: world.nights * world.pairs)]
        let hub = Hub(store: store, key: try SM2PrivateKey.generate(), batchDirectory: directory.appendingPathComponent("batches-\(label)"))
        let oversight = OversightWorkflow(hub: hub)
        let last = world.lastNight, first = world.firstNight
        let monthStart = last.adding(days: -29)
        let now = last.adding(days: 1).nightStart.addingTimeInterval(3600)
        func time(_ query: String, _ body: () async throws -> Int) async throws {
            var best = Duration.seconds(3600), rows = 0
            for _ in 0..<3 {
                let start = ContinuousClock.now
                rows = try await body()
                best = min(best, ContinuousClock.now - start)
            }
            figures.append(Figure(store: label, query: query, seconds: best.seconds, rows: rows))
        }
        try await time("compliance, last 30 nights, all pairs") {
            try await oversight.compliance(from: monthStart, through: last, agency: nil, now: now).rows.reduce(0) { $0 + $1.periods.count }
        }
        try await time("compliance, all \(world.nights) nights, all pairs") {
            try await oversight.compliance(from: first, through: last, agency: nil, now: now).rows.reduce(0) { $0 + $1.periods.count }
        }
        try await time("compliance, all nights, one agency") {
            try await oversight.compliance(from: first, through: last, agency: world.agencies[0], now: now).rows.reduce(0) { $0 + $1.periods.count }
        }
        try await time("statistics, year \(last.year)") {
            let report = try await oversight.statistics(year: last.year, month: nil, agency: nil, now: now)
            return report.byAgency.count + report.byResource.count + report.byMonth.count
        }
        try await time("statistics, month \(last.year)-\(last.month)") {
            let report = try await oversight.statistics(year: last.year, month: last.month, agency: nil, now: now)
            return report.byAgency.count + report.byResource.count + report.byMonth.count
        }
        return figures
    }

    /// The agencies, resources and agreements of the benchmark, and how each night goes.
    struct World: Sendable {
        let pairs: Int
        let nights: Int
        let agencies: [String]
        let resources: [CatalogueEntry]
        let agreements: [AgreementTerms]
        let lastNight: CalendarDate
        var firstNight: CalendarDate { lastNight.adding(days: 1 - nights) }
        let keyPEM: String

        init(documents: URL, pairs: Int, nights: Int) throws {
            let catalogueFile = documents.appendingPathComponent("Catalogue/RK-001-population.toml").path
            let termsFile = documents.appendingPathComponent("Agreements/BJ-GX-2026-004-population-to-social-security.toml").path
            guard FileManager.default.fileExists(atPath: catalogueFile), FileManager.default.fileExists(atPath: termsFile) else {
                throw ValidationError("\(documents.path) has no Catalogue/RK-001-population.toml: run from the repository root or pass --documents")
            }
            let template = try TOMLDocument.decode(CatalogueEntry.self, from: try SecretFile.read(catalogueFile), source: catalogueFile)
            let termsTemplate = try TOMLDocument.decode(AgreementTerms.self, from: try SecretFile.read(termsFile), source: termsFile)
            self.pairs = pairs
            self.nights = nights
            let agencies = (1...40).map { String(format: "BENCH-AG%02d", $0) }
            let resourceCount = max(1, pairs / 11)
            let resources = (0..<resourceCount).map { index in
                var entry = template
                entry.resourceCode = String(format: "BR-%03d", index + 1)
                entry.provider = String(format: "BENCH-AG%02d", index % 40 + 1)
                entry.publishedOn = CalendarDate(year: 2000, month: 1, day: 1)
                return entry
            }
            self.agencies = agencies
            self.resources = resources
            agreements = (0..<pairs).map { index in
                let resource = resources[index % resources.count]
                var terms = termsTemplate
                terms.id = String(format: "BENCH-%04d", index + 1)
                terms.resourceCode = resource.resourceCode
                terms.provider = resource.provider
                var consumer = agencies[(index * 7 + 3) % agencies.count]
                if consumer == resource.provider { consumer = agencies[(index * 7 + 4) % agencies.count] }
                terms.consumer = consumer
                terms.frequency = .daily
                terms.validFrom = CalendarDate(year: 2000, month: 1, day: 1)
                terms.validUntil = CalendarDate(year: 2099, month: 12, day: 31)
                terms.demand = nil
                terms.supersedes = nil
                return terms
            }
            lastNight = CalendarDate.night(of: Date()).adding(days: -1)
            keyPEM = try SM2PrivateKey.generate().publicKey.pem
        }

        func fill(_ store: any HubStore, progress: (Int) -> Void) async throws {
            let start = firstNight.nightStart.addingTimeInterval(-86_400)
            var setup: [HubChange] = agencies.map {
                .registerAgency(Agency(code: $0, name: "Bench \($0)", publicKeyPEM: keyPEM, roles: [.provider, .consumer]))
            }
            setup += resources.map { .publishCatalogueEntry($0) }
            var audit: [AuditDraft] = []
            for terms in agreements {
                var agreement = SharingAgreement(terms: terms)
                agreement.state = .active
                agreement.revision = 1
                setup.append(.saveAgreement(agreement, expectedRevision: nil))
                for action in ["agreement.filed", "agreement.activated"] {
                    audit.append(AuditDraft(actor: "admin:authority", action: action, subject: terms.id, agreement: terms.id,
                                            agencies: [terms.provider, terms.consumer]))
                }
            }
            try await store.commit(setup, audit: audit, at: start)
            let byResource = Dictionary(grouping: agreements, by: \.resourceCode)
            let digest = PayloadDigest(sm3: String(repeating: "0", count: 64), bytes: 0)
            var sequences = [Int64](repeating: 0, count: resources.count)
            for index in 0..<nights {
                let night = firstNight.adding(days: index)
                let pushedAt = night.nightStart.addingTimeInterval(11 * 3600)
                var changes: [HubChange] = []
                var receipts: [(HubChange, Date)] = []
                for (number, resource) in resources.enumerated() where (index + number) % 13 != 12 {
                    sequences[number] += 1
                    let sequence = sequences[number]
                    let upserts = Int64(1000 + (index * 37) % 500), deletes = Int64(index % 9)
                    let manifest = BatchManifest(provider: resource.provider, resourceCode: resource.resourceCode, schemaVersion: resource.schemaVersion,
                                                 sequence: sequence, items: resource.items.map(\.name),
                                                 changes: ChangeRange(mode: .snapshot, generation: sequence, full: false),
                                                 counts: BatchCounts(upserts: upserts, deletes: deletes, quarantined: 3),
                                                 quarantine: [QualityFinding(item: "公民身份号码", rule: "check_digit", count: 3)],
                                                 records: digest, wire: digest, createdAt: Timestamp.string(from: pushedAt), endsPass: true)
                    changes.append(.acceptBatch(StoredBatch(manifest: manifest, manifestBase64: try Self.base64(manifest), signatureBase64: "",
                                                            manifestSM3: "\(resource.resourceCode)#\(sequence)", acceptedAt: Timestamp.string(from: pushedAt),
                                                            payloadPath: nil)))
                    for terms in byResource[resource.resourceCode] ?? [] {
                        let delivery = DeliveryManifest(agreementID: terms.id, provider: terms.provider, consumer: terms.consumer,
                                                        resourceCode: terms.resourceCode, schemaVersion: terms.schemaVersion, sequence: sequence,
                                                        items: terms.items, counts: BatchCounts(upserts: upserts, deletes: deletes), records: digest,
                                                        wire: digest, providerManifestSM3: "", providerSignature: "",
                                                        createdAt: Timestamp.string(from: pushedAt), endsPass: true)
                        changes.append(.recordDelivery(StoredDelivery(manifest: delivery, manifestBase64: try Self.base64(delivery),
                                                                      signatureBase64: "", payloadPath: nil)))
                        let pair = Int(terms.id.suffix(4)) ?? 0
                        if (index + pair) % 29 == 28 { continue }
                        let late = (index + pair) % 17 == 16
                        let at = pushedAt.addingTimeInterval(late ? 86_400 + 4 * 3600 : 3 * 3600)
                        let receipt = BatchReceipt(agreementID: terms.id, consumer: terms.consumer, resourceCode: terms.resourceCode, sequence: sequence,
                                                   recordsSM3: digest.sm3, upsertsApplied: upserts, deletesApplied: deletes, appliedAt: Timestamp.string(from: at))
                        receipts.append((.recordReceipt(StoredReceipt(receipt: receipt, receiptBase64: try Self.base64(receipt), signatureBase64: "",
                                                                      receivedAt: Timestamp.string(from: at))), at))
                    }
                }
                try await store.commit(changes, audit: [], at: pushedAt)
                for (at, group) in Dictionary(grouping: receipts, by: \.1) {
                    try await store.commit(group.map(\.0), audit: [], at: at)
                }
                progress(index + 1)
            }
        }

        static func base64(_ value: some Encodable) throws -> String { try JSONEncoder().encode(value).base64EncodedString() }
    }
}
