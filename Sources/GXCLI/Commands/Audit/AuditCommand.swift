import ArgumentParser
import Foundation
import GXCrypto
import GXDomain
import GXHub
import GXStorage

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Query, export and re-verify the tamper-evident audit log (admin, auditor).",
        subcommands: [List.self, Verify.self, Export.self, Checkpoint.self, Reindex.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List audit entries, oldest first, a page at a time.")
        @OptionGroup var connection: HubConnectionOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var filters: AuditFilterOptions
        @Option(help: "Start after this sequence number (from a previous page).") var after: Int64 = 0
        @Option(help: "Page size (at most 1000).") var limit = 100
        @Flag(help: "Fetch every page, not just one.") var all = false

        func run() async throws {
            let client = try connection.client()
            let params: [(String, String)] = [("limit", String(limit))] + filters.parameters
            var cursor = after
            var entries: [AuditEntry] = []
            var next: Int64?
            repeat {
                let query = (params + [("after", String(cursor))]).map { "\($0.0)=\($0.1.urlQueryEscaped)" }.joined(separator: "&")
                let page: HubAPI.AuditPage = try await client.get("/v1/audit?\(query)")
                entries += page.entries
                next = page.nextAfter
                if let next { cursor = next }
            } while all && next != nil
            if output.json { return try JSONOutput.print(HubAPI.AuditPage(entries: entries, nextAfter: next)) }
            var table = TextTable("SEQ", "TIME", "ACTOR", "ACTION", "SUBJECT", "HASH")
            for e in entries { table.add(String(e.seq), e.time, e.actor, e.action, e.subject, String(e.hash.prefix(16)) + "…") }
            print(table.render())
            if let next, !all { Console.note("more entries: --after \(next)") }
        }
    }

    /// The filters `gx audit list` and `gx audit export` share, sent as the API's query parameters.
    struct AuditFilterOptions: ParsableArguments {
        @Option(help: "Entries concerning this agency.") var agency: String?
        @Option(help: "Entries concerning this agreement.") var agreement: String?
        @Option(help: "Entries concerning this catalogue resource: its catalogue acts, batches and demands, and acts on agreements sharing it.") var resource: String?
        @Option(help: "Only this action, e.g. agreement.signed.") var action: String?
        @Option(help: "Only this actor, e.g. admin:authority.") var actor: String?
        @Option(help: "From this instant (inclusive): RFC 3339 with any offset, e.g. 2026-11-01T08:00:00+08:00, or a date 2026-11-01 (00:00 China Standard Time).") var from: String?
        @Option(help: "Until this instant (inclusive, to the precision written): as for --from; a date 2026-11-30 includes that whole day, 2026-11-30T23:59:59Z that whole second.") var until: String?

        var parameters: [(String, String)] {
            [("agency", agency), ("agreement", agreement), ("resource", resource), ("action", action), ("actor", actor), ("from", from), ("until", until)]
                .compactMap { name, value in value.map { (name, $0) } }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the audit chain and report the first broken entry.",
            discussion: """
                Sources: --file EXPORT.ndjson (offline, from `gx audit export`), --db HUB.sqlite or a PostgreSQL URL \
                (offline, the hub's own database; also checks the agency index against the chain), or else the \
                running hub (--hub). Offline checks need the hub's public key (--pub hub.pub), obtained from the \
                authority, never from the evidence being checked. Detects edited, deleted, inserted and reordered \
                entries, and a tail cut off before the last signed checkpoint. Entries after the last signed \
                checkpoint are linked by SM3 only, which anyone who can write the evidence can recompute: they are \
                reported as unverified, not as intact. \
                Exit status: 0 intact, every entry covered by a checkpoint signed with the hub key; 1 broken; \
                2 bad input (unreadable file or line, missing key); 3 intact but entries after the last signed \
                checkpoint are unverified (have the hub sign one, `gx audit checkpoint`, and check again); 4 the \
                file is a selection (a filtered export): each entry's hash is checked against its content, but a \
                selection is no chain and is never reported intact.
                """)
        @OptionGroup var connection: HubConnectionOptions
        @Option(help: "Verify an exported NDJSON file.") var file: String?
        @Option(help: "Verify a hub database directly: a SQLite file or a PostgreSQL URL (needs --pub).") var db: String?
        @Option(help: "The hub's SM2 public key (PEM), from the authority; required with --file and --db.") var pub: String?
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let report: AuditChainVerifier.Report
            do {
                if let file {
                    switch try AuditVerification.inspect(exportFile: file, hubKey: try key(required: true)!) {
                    case .chain(let chain): report = chain
                    case .selection(let selection): return try reportSelection(selection, file: file)
                    }
                } else if let db {
                    // Never the key stored in the database being checked: whoever could rewrite its entries could
                    // replace that key and sign their own checkpoints.
                    let hubKey = try key(required: true)!
                    let database = try HubDatabase(db)
                    if database.postgres == nil, !FileManager.default.fileExists(atPath: db) { throw CLIError("\(db) does not exist") }
                    report = try await database.withStore { store in
                        try await store.verifyAuditChain(hubKey: hubKey)
                    }
                } else {
                    report = try await AuditVerification.verify(client: try connection.client(), hubKey: try key(required: false))
                }
            } catch let error as ExitCode {
                throw error
            } catch {
                Console.note("bad input: \(error)")
                throw ExitCode(2)
            }
            if output.json {
                try JSONOutput.print(AuditVerification.Summary(report))
            } else if let broken = report.firstBreak {
                print("audit chain BROKEN at entry \(broken.seq): \(broken.kind.rawValue): \(broken.message)")
                print("verified intact before it: \(report.entriesChecked) entries")
            } else if report.verdict == .unverifiedTail {
                print("audit chain linked but NOT fully verified: \(report.entriesChecked) entries, \(report.checkpointsChecked) signed checkpoints, head \(report.lastSeq) \(report.headHash)")
                if let covered = report.coveredBySeq {
                    print("signed by the hub up to entry \(covered); the \(report.uncoveredEntries) entries after it are UNVERIFIED: anyone able to write this evidence could have rewritten or appended them")
                } else {
                    print("no signed checkpoint covers any entry: all \(report.uncoveredEntries) are UNVERIFIED")
                }
            } else {
                print("audit chain intact: \(report.entriesChecked) entries, \(report.checkpointsChecked) signed checkpoints, head \(report.lastSeq) \(report.headHash)")
                print("signed by the hub up to the head")
            }
            switch report.verdict {
            case .intact: return
            case .broken: throw ExitCode(1)
            case .unverifiedTail: throw ExitCode(3)
            }
        }

        /// A filtered export is no chain: say so, and what was checked, and never exit 0.
        func reportSelection(_ selection: AuditVerification.Selection, file: String) throws {
            if output.json {
                try JSONOutput.print(selection)
            } else {
                print("\(file) is a SELECTION of the audit log, not the whole chain: \(AuditExport.describe(selection.filters))")
                if let broken = selection.brokenAt {
                    print("entry \(broken): its hash is not the SM3 of its content and stated predecessor, or it is out of order")
                } else {
                    print("\(selection.entries) entries, each hash the SM3 of its content and stated predecessor; the chain and its signed checkpoints cannot be checked from a selection")
                    print("to prove these entries are the hub's, verify the whole log: gx audit export --out FILE (no filters), then gx audit verify --file FILE --pub hub.pub")
                }
            }
            throw ExitCode(selection.brokenAt == nil ? 4 : 1)
        }

        func key(required: Bool) throws -> SM2PublicKey? {
            guard let pub else {
                if required { throw CLIError("--pub is required: verify against the hub key you obtained from the authority, not one the evidence carries") }
                return nil
            }
            return try SM2PublicKey(pem: try SecretFile.read(pub))
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the audit log as NDJSON, whole or filtered; the whole log verifies offline with only the hub's public key.",
            discussion: """
                The hub signs a checkpoint at the current head first, so the exported tail is covered. With any \
                filter the file holds only the matching entries: its header says it is a selection and names the \
                filters, and `gx audit verify --file` reports it as a selection, never as an intact chain.
                """)
        @OptionGroup var connection: HubConnectionOptions
        @OptionGroup var filters: AuditFilterOptions
        @Option(help: "Output file.") var out: String

        func run() async throws {
            guard FileManager.default.createFile(atPath: out, contents: nil), let handle = FileHandle(forWritingAtPath: out) else {
                throw CLIError("cannot create \(out)")
            }
            defer { try? handle.close() }
            let query = filters.parameters.map { "\($0.0)=\($0.1.urlQueryEscaped)" }.joined(separator: "&")
            try await connection.client().download("/v1/audit/export" + (query.isEmpty ? "" : "?\(query)"), into: handle)
            if !query.isEmpty { Console.note("a selection of the audit log (\(query)), not the whole chain") }
            print(out)
        }
    }

    struct Reindex: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rebuild the agency index of the audit log from the chained entries (on the hub's host).",
            discussion: """
                `GET /v1/audit?agency=…` answers from an index beside the chain, which the chain does not protect; \
                `gx audit verify --db` reports a row missing from it or added to it as index_mismatch. This puts \
                the index back as the entries imply, page by page (safe while the hub serves), and records what it \
                changed in an audit.index_repaired entry (none when the index was right).
                """)
        @Option(help: "The hub database: a SQLite file or a PostgreSQL URL.") var db: String
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let database = try HubDatabase(db)
            if database.postgres == nil, !FileManager.default.fileExists(atPath: db) { throw CLIError("\(db) does not exist") }
            let repair = try await database.withStore { store in try await store.repairAuditIndex(by: "hub") }
            if output.json {
                struct Summary: Encodable { var entries: Int64; var added: Int; var removed: Int; var entry: Int64? }
                return try JSONOutput.print(Summary(entries: repair.entriesChecked, added: repair.added.count, removed: repair.removed.count, entry: repair.entry?.seq))
            }
            print("agency index checked against \(repair.entriesChecked) entries: \(repair.added.count) rows added, \(repair.removed.count) removed")
            for row in repair.added.prefix(20) { print("  added   \(row)") }
            for row in repair.removed.prefix(20) { print("  removed \(String(row.description.prefix(120)))") }
            if let entry = repair.entry { print("recorded as audit entry \(entry.seq) (\(entry.action))") }
        }
    }

    struct Checkpoint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Have the hub sign a checkpoint at the current head now; admin.")
        @OptionGroup var connection: HubConnectionOptions

        func run() async throws {
            let checkpoint: AuditCheckpoint = try await connection.client().post("/v1/audit/checkpoints", [String: String]())
            print("checkpoint at \(checkpoint.seq): \(checkpoint.headHash)")
        }
    }
}
