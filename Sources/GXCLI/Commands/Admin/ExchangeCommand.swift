import ArgumentParser
import GXCrypto
import GXDomain

struct ExchangeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exchange", abstract: "See what flowed between agencies (admin, auditor).",
        subcommands: [Report.self, Verify.self])

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

    /// Re-checks every batch of a resource against its provider's key history, as an auditor would after a
    /// key rotation: each manifest must carry a valid SM2 signature by the key in force when it was accepted.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-verify the provider signature of every batch of a resource, with the key in force when each was accepted.",
            discussion: "Exit status 1 if any batch's signature does not verify.")
        @OptionGroup var connection: HubConnectionOptions
        @Option(help: "Resource code, e.g. RK-001.") var resource: String

        func run() async throws {
            let client = try connection.client()
            let entry: CatalogueEntry = try await client.get("/v1/catalogue/\(resource.urlPathEscaped)")
            let provider: Agency = try await client.get("/v1/agencies/\(entry.provider.urlPathEscaped)")
            var after: Int64 = 0, checked = 0, failed = 0
            while true {
                let page: ExchangeAPI.BatchList = try await client.get("/v1/resources/\(resource.urlPathEscaped)/batches?after=\(after)")
                guard let last = page.batches.last else { break }
                for batch in page.batches {
                    let keyPEM = provider.publicKeyPEM(at: batch.acceptedAt)
                    let signed = try SignedDocument<BatchManifest>(base64Content: batch.manifestBase64, base64Signature: batch.signatureBase64, field: "manifest")
                    let which = keyPEM == provider.publicKeyPEM ? "current key" : "key retired \(provider.retiredKeys.first { $0.publicKeyPEM == keyPEM }?.retiredAt ?? "")"
                    if signed.isSigned(by: try SM2PublicKey(pem: keyPEM)), signed.sm3 == batch.manifestSM3 {
                        print("\(resource)#\(batch.manifest.sequence): signature valid (\(which))")
                    } else {
                        print("\(resource)#\(batch.manifest.sequence): SIGNATURE DOES NOT VERIFY with the \(which)")
                        failed += 1
                    }
                    checked += 1
                }
                after = last.manifest.sequence
            }
            print("\(checked) batches of \(resource) checked against \(provider.code)'s key history; \(failed) failed")
            if failed > 0 { throw ExitCode(1) }
        }
    }
}
