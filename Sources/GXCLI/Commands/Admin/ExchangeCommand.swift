import ArgumentParser
import GXDomain

struct ExchangeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exchange", abstract: "See what flowed between agencies (admin, auditor).",
        subcommands: [Report.self])

    /// Per agreement: what its provider sent, what its consumer acknowledged applying, and whether every
    /// receipt matched the delivery's digest — the nightly check an admin or auditor runs.
    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Per agreement: batches and records sent, applied and quarantined, and receipts matching deliveries.",
            discussion: "A receipt is recorded only when its records SM3 equals the delivery's, so MATCHED counts "
                + "batches the consumer proved it applied. Exit status 1 if any active agreement has batches not yet acknowledged.")
        @OptionGroup var connection: HubConnectionOptions
        @OptionGroup var output: OutputOptions

        struct Row: Encodable {
            var agreement: String
            var resource: String
            var state: String
            var batches: Int
            var upsertsSent: Int64
            var deletesSent: Int64
            var quarantined: Int64
            var acknowledged: Int
            var upsertsApplied: Int64
            var deletesApplied: Int64
        }

        func run() async throws {
            let client = try connection.client()
            let agreements: [SharingAgreement] = try await client.get("/v1/agreements")
            var lists: [String: ExchangeAPI.BatchList] = [:]
            var rows: [Row] = []
            for agreement in agreements {
                let resource = agreement.terms.resourceCode
                if lists[resource] == nil { lists[resource] = try await client.get("/v1/resources/\(resource.urlPathEscaped)/batches") }
                let batches = lists[resource]!.batches
                let receipts = batches.flatMap(\.receipts).filter { $0.agreementID == agreement.id }
                rows.append(Row(agreement: agreement.id, resource: resource, state: agreement.state.rawValue, batches: batches.count,
                                upsertsSent: batches.reduce(0) { $0 + $1.manifest.counts.upserts },
                                deletesSent: batches.reduce(0) { $0 + $1.manifest.counts.deletes },
                                quarantined: batches.reduce(0) { $0 + $1.manifest.counts.quarantined },
                                acknowledged: receipts.count,
                                upsertsApplied: receipts.reduce(0) { $0 + $1.upsertsApplied },
                                deletesApplied: receipts.reduce(0) { $0 + $1.deletesApplied }))
            }
            if output.json {
                try JSONOutput.print(rows)
            } else {
                var table = TextTable("AGREEMENT", "RESOURCE", "STATE", "BATCHES", "SENT (UPSERT/DELETE)", "QUARANTINED", "APPLIED (UPSERT/DELETE)", "MATCHED")
                for r in rows {
                    table.add(r.agreement, r.resource, r.state, String(r.batches), "\(r.upsertsSent)/\(r.deletesSent)", String(r.quarantined),
                              "\(r.upsertsApplied)/\(r.deletesApplied)", "\(r.acknowledged)/\(r.batches)")
                }
                print(table.render())
            }
            if rows.contains(where: { $0.state == "active" && $0.acknowledged < $0.batches }) { throw ExitCode(1) }
        }
    }
}
