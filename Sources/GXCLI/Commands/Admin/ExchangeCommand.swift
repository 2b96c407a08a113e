import ArgumentParser
import Foundation
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
            discussion: """
                A receipt is recorded only when its records SM3 equals the delivery's, so MATCHED counts batches the \
                consumer proved it applied. QUARANTINED is the provider's latest pass: the rows it held back then \
                (each pass reports every invalid row it still has, so passes are not added up).

                STATUS: acknowledged (every batch applied); awaiting consumer (batches accepted since the consumer's \
                last receipt, in the agreement's current period — nights run 12:00 to 12:00 Beijing time: the \
                consumer has not run since its provider's pass); behind (the consumer acknowledged batches after \
                the oldest unacknowledged one arrived, so it ran and stopped short: a failure); overdue (a batch \
                from an earlier period is still unacknowledged: a failure).

                Exit status 1 if any active agreement is behind or overdue.
                """)
        @OptionGroup var connection: HubConnectionOptions
        @OptionGroup var output: OutputOptions

        struct Row: Encodable {
            var agreement: String
            var resource: String
            var state: String
            var batches: Int
            var upsertsSent: Int64
            var deletesSent: Int64
            /// Rows the provider held back in its latest pass.
            var quarantinedLastPass: Int64
            var acknowledged: Int
            var upsertsApplied: Int64
            var deletesApplied: Int64
            var status: ExchangeStatus
            /// When the oldest batch not yet acknowledged was accepted.
            var pendingSince: String?
            /// For a verification agreement (比对核实), which has no batches: its requests and their answers.
            var verification: VerificationCounts?
        }

        struct VerificationCounts: Encodable {
            var requests: Int
            var records: Int64
            var answered: Int
            var found: Int64
            var mismatches: [String: Int64]
            var receipts: Int
        }

        func run() async throws {
            let client = try connection.client()
            let agreements: [SharingAgreement] = try await client.get("/v1/agreements")
            var lists: [String: [ExchangeAPI.BatchView]] = [:]
            var rows: [Row] = []
            let now = Date()
            for agreement in agreements {
                let resource = agreement.terms.resourceCode
                if agreement.terms.method == .verification {
                    rows.append(try await Self.verificationRow(agreement, client))
                    continue
                }
                if lists[resource] == nil { lists[resource] = try await Self.batches(of: resource, client) }
                let batches = lists[resource]!
                let receipts = batches.flatMap(\.receipts).filter { $0.agreementID == agreement.id }
                let (status, pendingSince) = ExchangeStatus.of(batches: batches, receipts: receipts, frequency: agreement.terms.frequency, now: now)
                // Only a pass's last batch carries its quarantine; batches from before the mark existed count as passes.
                let lastPass = batches.last { $0.manifest.isLastOfPass } ?? batches.last
                rows.append(Row(agreement: agreement.id, resource: resource, state: agreement.state.rawValue, batches: batches.count,
                                upsertsSent: batches.reduce(0) { $0 + $1.manifest.counts.upserts },
                                deletesSent: batches.reduce(0) { $0 + $1.manifest.counts.deletes },
                                quarantinedLastPass: lastPass?.manifest.counts.quarantined ?? 0,
                                acknowledged: receipts.count,
                                upsertsApplied: receipts.reduce(0) { $0 + $1.upsertsApplied },
                                deletesApplied: receipts.reduce(0) { $0 + $1.deletesApplied },
                                status: status, pendingSince: pendingSince))
            }
            if output.json {
                try JSONOutput.print(rows)
            } else {
                var table = TextTable("AGREEMENT", "RESOURCE", "STATE", "BATCHES", "SENT (UPSERT/DELETE)", "QUARANTINED (LAST PASS)",
                                      "APPLIED (UPSERT/DELETE)", "MATCHED", "STATUS")
                for r in rows where r.verification == nil {
                    table.add(r.agreement, r.resource, r.state, String(r.batches), "\(r.upsertsSent)/\(r.deletesSent)", String(r.quarantinedLastPass),
                              "\(r.upsertsApplied)/\(r.deletesApplied)", "\(r.acknowledged)/\(r.batches)",
                              r.status.rawValue + (r.pendingSince.map { " since \($0)" } ?? ""))
                }
                print(table.render())
                let verifications = rows.compactMap { r in r.verification.map { (r, $0) } }
                if !verifications.isEmpty {
                    var checks = TextTable("VERIFICATION", "RESOURCE", "STATE", "REQUESTS", "RECORDS", "ANSWERED", "FOUND", "MISMATCHES", "RECEIPTS", "STATUS")
                    for (r, v) in verifications {
                        let mismatches = v.mismatches.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                        checks.add(r.agreement, r.resource, r.state, String(v.requests), String(v.records), String(v.answered), String(v.found),
                                   mismatches.isEmpty ? "-" : mismatches, "\(v.receipts)/\(v.requests)", r.status.rawValue)
                    }
                    print("")
                    print(checks.render())
                }
            }
            if rows.contains(where: { $0.state == "active" && $0.status.isFailure }) { throw ExitCode(1) }
        }

        /// A verification agreement's requests, answers and receipts, summed as the console sums them.
        static func verificationRow(_ agreement: SharingAgreement, _ client: HubClient) async throws -> Row {
            var all: [VerificationAPI.Entry] = []
            var after: Int64 = 0
            while true {
                let page: VerificationAPI.Listing = try await client.get("/v1/agreements/\(agreement.id.urlPathEscaped)/verifications?after=\(after)")
                guard let last = page.verifications.last else { break }
                all += page.verifications
                after = last.sequence
            }
            let summary = VerificationSummary(all)
            let counts = VerificationCounts(requests: summary.requests, records: summary.records, answered: summary.answered, found: summary.found,
                                            mismatches: summary.mismatches, receipts: summary.receipts)
            return Row(agreement: agreement.id, resource: agreement.terms.resourceCode, state: agreement.state.rawValue, batches: 0, upsertsSent: 0,
                       deletesSent: 0, quarantinedLastPass: 0, acknowledged: 0, upsertsApplied: 0, deletesApplied: 0, status: summary.status,
                       pendingSince: summary.pendingSince, verification: counts)
        }

        /// Every batch of a resource, page by page (the hub answers at most 1 000 at a time).
        static func batches(of resource: String, _ client: HubClient) async throws -> [ExchangeAPI.BatchView] {
            var all: [ExchangeAPI.BatchView] = []
            var after: Int64 = 0
            while true {
                let page: ExchangeAPI.BatchList = try await client.get("/v1/resources/\(resource.urlPathEscaped)/batches?after=\(after)")
                guard let last = page.batches.last else { return all }
                all += page.batches
                after = last.manifest.sequence
            }
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
