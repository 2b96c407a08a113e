import ArgumentParser
import Foundation
import GXCrypto
import GXDomain
import GXHub
import GXStorage

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Query, export and re-verify the tamper-evident audit log (admin, auditor).",
        subcommands: [List.self, Verify.self, Export.self, Checkpoint.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List audit entries, oldest first, a page at a time.")
        @OptionGroup var connection: HubConnectionOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Entries concerning this agency.") var agency: String?
        @Option(help: "Entries concerning this agreement.") var agreement: String?
        @Option(help: "Only this action, e.g. agreement.signed.") var action: String?
        @Option(help: "Only this actor, e.g. admin:authority.") var actor: String?
        @Option(help: "From this instant (inclusive): RFC 3339 with any offset, e.g. 2026-11-01T08:00:00+08:00, or a date 2026-11-01 (00:00 China Standard Time).") var from: String?
        @Option(help: "Until this instant (exclusive), written as for --from.") var until: String?
        @Option(help: "Start after this sequence number (from a previous page).") var after: Int64 = 0
        @Option(help: "Page size (at most 1000).") var limit = 100
        @Flag(help: "Fetch every page, not just one.") var all = false

        func run() async throws {
            let client = try connection.client()
            var params: [(String, String)] = [("limit", String(limit))]
            for (name, value) in [("agency", agency), ("agreement", agreement), ("action", action), ("actor", actor), ("from", from), ("until", until)] {
                if let value { params.append((name, value)) }
            }
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

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the audit chain and report the first broken entry.",
            discussion: """
                Sources: --file EXPORT.ndjson (offline, from `gx audit export`), --db HUB.sqlite (offline, the \
                hub's own database), or else the running hub (--hub). Offline checks need the hub's public key \
                (--pub hub.pub), obtained from the authority, not from the evidence being checked. \
                Detects edited, deleted, inserted and reordered entries, and a tail cut off before the last \
                signed checkpoint. Exit status 0 intact, 1 broken, 2 bad input.
                """)
        @OptionGroup var connection: HubConnectionOptions
        @Option(help: "Verify an exported NDJSON file.") var file: String?
        @Option(help: "Verify a hub database directly: a SQLite file or a PostgreSQL URL.") var db: String?
        @Option(help: "The hub's SM2 public key (PEM).") var pub: String?
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let report: AuditChainVerifier.Report
            do {
                if let file {
                    report = try AuditVerification.verify(exportFile: file, hubKey: try key(required: true)!)
                } else if let db {
                    let given = try key(required: false)
                    report = try await HubDatabase(db).withStore { store in
                        let pem: String
                        if let given { pem = given.pem } else {
                            guard let stored = try await store.metadata("hub_public_key") else { throw CLIError("\(db) has no hub key; pass --pub") }
                            pem = stored
                        }
                        return try await AuditVerification.verify(store: store, hubKey: try SM2PublicKey(pem: pem))
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
            } else {
                print("audit chain intact: \(report.entriesChecked) entries, \(report.checkpointsChecked) signed checkpoints, head \(report.lastSeq) \(report.headHash)")
                if let covered = report.coveredBySeq {
                    print("signed by the hub up to entry \(covered)" + (covered < report.lastSeq ? "; entries after it are not yet covered by a checkpoint" : ""))
                } else if report.entriesChecked > 0 {
                    print("no signed checkpoint covers these entries yet")
                }
            }
            if !report.isIntact { throw ExitCode(1) }
        }

        func key(required: Bool) throws -> SM2PublicKey? {
            guard let pub else {
                if required { throw CLIError("--pub is required: verify against the hub key you obtained from the authority") }
                return nil
            }
            return try SM2PublicKey(pem: try SecretFile.read(pub))
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the whole audit log as NDJSON; it verifies offline with only the hub's public key.",
            discussion: "The hub signs a checkpoint at the current head first, so the exported tail is covered.")
        @OptionGroup var connection: HubConnectionOptions
        @Option(help: "Output file.") var out: String

        func run() async throws {
            guard FileManager.default.createFile(atPath: out, contents: nil), let handle = FileHandle(forWritingAtPath: out) else {
                throw CLIError("cannot create \(out)")
            }
            defer { try? handle.close() }
            try await connection.client().download("/v1/audit/export", into: handle)
            print(out)
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
