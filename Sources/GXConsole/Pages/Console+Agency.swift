import Foundation
import GXDomain
import GXHub
import GXStorage
import Hummingbird

extension Console {
    func addAgencyPages(to group: RouterGroup<HubRequestContext>) {
        page(group, .get, "agency", allow: [.agency]) { request, _, visitor, _ in try await agencyHome(visitor, hubAddress: hubAddress(request)) }
    }

    static let recentBatches: Int64 = 20

    /// What concerns one agency, and nothing else: its agreements, what awaits its signature, its batches as
    /// provider with their quarantine and receipts, what it received and applied as consumer.
    func agencyHome(_ visitor: Visitor, hubAddress: String) async throws -> Response {
        guard case let .agency(code) = visitor.principal else { throw ConsolePageError(.forbidden, "error.forbidden") }
        let store = hub.store
        let names = Dictionary(try await store.agencies().map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        let mine = try await store.agreements(matching: AgreementQuery(party: code))
        func link(_ id: String) -> String { "\(Self.prefix)/agreements/\(Self.pathEscaped(id))" }

        // An agreement's own signature, or its pending amendment's: the same `gx agreement sign` signs either.
        let awaiting: [[String: Any]] = mine.filter { $0.awaitedSigner == code || $0.amendment?.awaitedSigner == code }.map {
            let purpose = $0.amendment.map { "\(text("amendment.pending", visitor)) \($0.number) — \($0.reason)" } ?? $0.terms.purpose
            return ["id": $0.id, "href": link($0.id), "purpose": purpose, "command": Self.signCommand($0.id, hub: hubAddress)]
        }
        let agreements: [[String: Any]] = mine.map {
            ["id": $0.id, "href": link($0.id), "role": text($0.terms.provider == code ? "role.provider" : "role.consumer", visitor),
             "other": names[$0.terms.provider == code ? $0.terms.consumer : $0.terms.provider] ?? "",
             "resource": $0.terms.resourceCode, "state": stateLabel($0.state, visitor), "stateClass": $0.state.rawValue]
        }

        var provided: [[String: Any]] = []
        let resources = Set(mine.filter { $0.terms.provider == code }.map(\.terms.resourceCode)).sorted()
        for resource in resources {
            let last = try await store.lastBatchSequence(resourceCode: resource)
            let batches = try await store.batches(resourceCode: resource, after: max(0, last - Self.recentBatches), limit: Int(Self.recentBatches))
            var rows: [[String: Any]] = []
            for batch in batches.reversed() where batch.manifest.provider == code {
                let receipts = try await store.receipts(resourceCode: resource, sequence: batch.manifest.sequence)
                rows.append([
                    "seq": batch.manifest.sequence, "accepted": Self.shortTime(batch.acceptedAt),
                    "upserts": batch.manifest.counts.upserts, "deletes": batch.manifest.counts.deletes,
                    "quarantined": batch.manifest.counts.quarantined,
                    "rules": batch.manifest.quarantine.map { ["item": $0.item, "rule": $0.rule, "count": $0.count] },
                    "receipts": receipts.map { ["consumer": names[$0.receipt.consumer] ?? $0.receipt.consumer,
                                                "applied": Self.shortTime($0.receipt.appliedAt)] },
                ])
            }
            // The latest pass's findings (only a pass's last batch reports them), charted by rule.
            let pass = batches.last { $0.manifest.provider == code && ($0.manifest.isLastOfPass || $0.manifest.endsPass == nil) }
            let rules = Self.byRule(pass?.manifest.quarantine ?? [])
            let chart = ConsoleChart.rows(rules.map { ConsoleChart.Bar(label: $0.rule, value: Double($0.count), figure: String($0.count)) },
                                          title: "\(resource) \(text("agency.rule_chart", visitor))", kind: "rule", color: "#cf222e")
            provided.append(["resource": resource, "batches": rows, "none": rows.isEmpty, "ruleChart": chart, "hasRules": !rules.isEmpty])
        }

        var received: [[String: Any]] = []
        for agreement in mine where agreement.terms.consumer == code {
            let last = try await store.lastBatchSequence(resourceCode: agreement.terms.resourceCode)
            var rows: [[String: Any]] = []
            var sequence = last
            while sequence > max(0, last - Self.recentBatches) {
                if let delivery = try await store.delivery(agreementID: agreement.id, sequence: sequence) {
                    let receipt = try await store.receipt(agreementID: agreement.id, sequence: sequence)
                    rows.append([
                        "seq": sequence, "created": Self.shortTime(delivery.manifest.createdAt),
                        "records": delivery.manifest.counts.records,
                        "applied": receipt.map { Self.shortTime($0.receipt.appliedAt) } ?? "",
                        "appliedCount": receipt.map { $0.receipt.upsertsApplied + $0.receipt.deletesApplied } ?? 0,
                        "pending": receipt == nil,
                    ])
                }
                sequence -= 1
            }
            received.append(["id": agreement.id, "href": link(agreement.id), "provider": names[agreement.terms.provider] ?? "",
                             "deliveries": rows, "none": rows.isEmpty])
        }

        return render("agency-home", title: names[code] ?? code, [
            "name": names[code] ?? code, "code": code,
            "awaiting": awaiting, "hasAwaiting": !awaiting.isEmpty,
            "agreements": agreements, "noAgreements": agreements.isEmpty,
            "provided": provided, "hasProvided": !provided.isEmpty,
            "received": received, "hasReceived": !received.isEmpty,
        ], for: visitor)
    }

    /// `2026-11-23T01:02:03.456Z` as `2026-11-23 01:02` (UTC).
    static func shortTime(_ stamp: String) -> String {
        String(stamp.prefix(16)).replacingOccurrences(of: "T", with: " ")
    }
}
