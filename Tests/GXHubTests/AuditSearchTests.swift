import Foundation
import GRDB
import GXDomain
@testable import GXStorage
import GXTestSupport
import Testing

@Suite("An auditor's search finds exactly the entries the chain holds, whichever filter leads")
struct AuditSearchTests {
    /// What the test wrote for each entry, to filter the chain by hand.
    struct Written {
        var seq: Int64
        var time: String
        var actor: String
        var action: String
        var agencies: [String]
        var agreement: String?
        var resource: String?
    }

    static let agencies = ["A1", "A2", "A3", "A4"]
    static let actions = ["test.busy", "test.busy", "test.busy", "test.common", "test.rare"]
    static let resources = ["RK-001", "RK-002", "FR-001"]
    static let agreements = ["BJ-1", "BJ-2", "BJ-3"]
    static let actors = ["agency:A1", "agency:A2", "admin:authority"]
    static let start = Timestamp.date(from: "2026-06-01T00:00:00.000Z")!

    /// A log of about `commits` acts an hour or so apart, with every tenth act dated up to two days back (a clock set
    /// back, or a hub whose clock lags another's): those must still be found by their own times.
    func writeLog(_ store: any HubStore, commits: Int, random: inout SeededRandom) async throws -> [Written] {
        var written: [Written] = []
        var clock = Self.start
        for _ in 0..<commits {
            clock += Double(Int.random(in: 0...7200, using: &random))
            let time = Int.random(in: 0..<10, using: &random) == 0 ? clock - Double(Int.random(in: 1...172_800, using: &random)) : clock
            var drafts: [AuditDraft] = []
            var shapes: [Written] = []
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let agencies = Array(Set((0..<Int.random(in: 0...2, using: &random)).map { _ in Self.agencies.randomElement(using: &random)! })).sorted()
                let agreement = Bool.random(using: &random) ? Self.agreements.randomElement(using: &random) : nil
                let resource = Int.random(in: 0..<3, using: &random) > 0 ? Self.resources.randomElement(using: &random) : nil
                let action = Self.actions.randomElement(using: &random)!
                let actor = Self.actors.randomElement(using: &random)!
                drafts.append(AuditDraft(actor: actor, action: action, subject: "s", agreement: agreement, agencies: agencies,
                                         details: resource.map { ["resource": .string($0)] } ?? [:]))
                shapes.append(Written(seq: 0, time: "", actor: actor, action: action, agencies: agencies, agreement: agreement, resource: resource))
            }
            let entries = try await store.commit([], audit: drafts, at: time)
            for (entry, var shape) in zip(entries, shapes) {
                (shape.seq, shape.time) = (entry.seq, entry.time)
                written.append(shape)
            }
        }
        return written
    }

    func expected(_ query: AuditQuery, in log: [Written]) -> [Int64] {
        Array(log.filter { matches($0, query) }.map(\.seq).prefix(query.limit))
    }

    func matches(_ entry: Written, _ query: AuditQuery) -> Bool {
        guard entry.seq > query.afterSeq else { return false }
        if let agency = query.agency, !entry.agencies.contains(agency) { return false }
        if let agreement = query.agreement, entry.agreement != agreement { return false }
        if let resource = query.resource, entry.resource != resource { return false }
        if let action = query.action, entry.action != action { return false }
        if let actor = query.actor, entry.actor != actor { return false }
        if let from = query.fromTimestamp, entry.time < from { return false }
        if let until = query.untilTimestamp, entry.time > until { return false }
        return true
    }

    func randomQuery(_ log: [Written], random: inout SeededRandom) -> AuditQuery {
        func maybe(_ values: [String]) -> String? { Int.random(in: 0..<3, using: &random) == 0 ? values.randomElement(using: &random) : nil }
        let span = Double(Int(log.last.map { Timestamp.date(from: $0.time)!.timeIntervalSince(Self.start) } ?? 0) + 86_400)
        let from = Bool.random(using: &random) ? Self.start + Double(Int.random(in: -86_400...Int(span), using: &random)) : nil
        let until = Bool.random(using: &random) ? Self.start + Double(Int.random(in: -86_400...Int(span), using: &random)) : nil
        return AuditQuery(agency: maybe(Self.agencies), agreement: maybe(Self.agreements), resource: maybe(Self.resources),
                          action: maybe(Self.actions), actor: maybe(Self.actors), from: from, until: until,
                          afterSeq: Bool.random(using: &random) ? 0 : Int64.random(in: 0...Int64(log.count), using: &random),
                          limit: Int.random(in: 1...60, using: &random))
    }

    @Test("random searches over a log with backdated entries find what a scan of the chain finds", arguments: StoreBackend.allCases)
    func randomSearchesMatchAScan(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore(in: try temporaryDirectory())
        var random = SeededRandom(seed: 20_261_204)
        let log = try await writeLog(store, commits: 400, random: &random)
        for round in 0..<300 {
            let query = randomQuery(log, random: &random)
            let found = try await store.auditEntries(matching: query).map(\.seq)
            #expect(found == expected(query, in: log), "round \(round): \(query)")
        }
    }

    @Test("a leading filter read a few entries at a time still finds every match", arguments: StoreBackend.allCases)
    func shortStretchesFindEveryMatch(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore(in: try temporaryDirectory())
        var random = SeededRandom(seed: 7)
        let log = try await writeLog(store, commits: 150, random: &random)
        let indexes = try #require(store as? any AuditSearchIndexes)
        for round in 0..<150 {
            let query = randomQuery(log, random: &random)
            // Stretches of 1, 4, 16 entries and caps of 2 and 5 make every search walk and choose as a long log would.
            let search = AuditSearch(query: query, countCaps: [2, 5], firstStretch: 1, maximumStretch: 16)
            let found = try await search.run(on: indexes).entries.map(\.seq)
            #expect(found == expected(query, in: log), "round \(round): \(query)")
        }
    }

    @Test("a page that stops at its scan limit says how far it searched, and following it finds every match", arguments: StoreBackend.allCases)
    func stoppedPagesContinueWhereTheyStopped(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore(in: try temporaryDirectory())
        var random = SeededRandom(seed: 99)
        let log = try await writeLog(store, commits: 300, random: &random)
        let indexes = try #require(store as? any AuditSearchIndexes)
        // Two filters that meet seldom: an agency and the rare action.
        let query = AuditQuery(agency: "A1", action: "test.rare", limit: 1000)
        let all = expected(query, in: log)
        #expect(!all.isEmpty)
        var found: [Int64] = []
        var after: Int64 = 0
        var stopped = 0
        for _ in 0..<10_000 {
            var next = query
            next.afterSeq = after
            let page = try await AuditSearch(query: next, scanLimit: 8, countCaps: [1000], firstStretch: 4, maximumStretch: 4).run(on: indexes)
            found += page.entries.map(\.seq)
            if let through = page.searchedThrough {
                stopped += 1
                #expect(page.entries.count < query.limit)
                #expect(through >= (page.entries.last?.seq ?? 0))
            }
            guard let cursor = page.nextAfter(limit: query.limit) else { break }
            after = cursor
        }
        #expect(stopped > 0, "the scan limit never stopped a page")
        #expect(found == all)
    }

    @Test("an entry dated before an earlier one is found by its own time", arguments: StoreBackend.allCases)
    func backdatedEntryIsFoundByItsTime(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore(in: try temporaryDirectory())
        for (subject, time) in [("ten", "2026-12-04T10:00:00.000Z"), ("nine", "2026-12-04T09:00:00.000Z"), ("eleven", "2026-12-04T11:00:00.000Z")] {
            try await store.commit([], audit: [AuditDraft(actor: "admin:authority", action: "test.timed", subject: subject)],
                                   at: Timestamp.date(from: time)!)
        }
        func subjects(from: String?, until: String?) async throws -> [String] {
            try await store.auditEntries(matching: AuditQuery(from: from.flatMap(Timestamp.date(from:)), until: until.flatMap(Timestamp.date(from:))))
                .map(\.subject)
        }
        #expect(try await subjects(from: nil, until: "2026-12-04T09:30:00.000Z") == ["nine"])
        #expect(try await subjects(from: "2026-12-04T08:00:00.000Z", until: "2026-12-04T09:00:00.000Z") == ["nine"])
        #expect(try await subjects(from: "2026-12-04T09:30:00.000Z", until: nil) == ["ten", "eleven"])
        #expect(try await subjects(from: "2026-12-04T10:30:00.000Z", until: "2026-12-04T12:00:00.000Z") == ["eleven"])
    }

    @Test("the v16 migration's backfill gives an older hub's entries the running times an append gives", arguments: StoreBackend.allCases)
    func backfillMatchesAppend(_ backend: StoreBackend) async throws {
        let directory = try temporaryDirectory()
        let store = try await backend.makeStore(in: directory)
        var random = SeededRandom(seed: 16)
        let log = try await writeLog(store, commits: 120, random: &random)
        if let postgres = store as? PostgresHubStore {
            try await TestPostgres.execute("UPDATE audit_entries SET time_order = NULL", in: postgres.settings)
            try await TestPostgres.execute(PostgresHubStore.auditTimeOrderBackfill, in: postgres.settings)
        } else {
            let database = try DatabaseQueue(path: directory.appendingPathComponent("hub.sqlite").path)
            try await database.write { db in
                try db.execute(sql: "UPDATE audit_entries SET time_order = NULL")
                try db.execute(sql: SQLiteHubStore.auditTimeOrderBackfill)
            }
        }
        for round in 0..<120 {
            var query = randomQuery(log, random: &random)
            if query.from == nil && query.until == nil { query.until = Self.start + 86_400 * 3 }
            #expect(try await store.auditEntries(matching: query).map(\.seq) == expected(query, in: log), "round \(round): \(query)")
        }
    }

    func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gx-audit-search-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }
}
