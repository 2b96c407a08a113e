import Foundation
import GXDomain
import GXHub
import Hummingbird

extension Console {
    static let shownVerifications = 200

    /// A verification agreement's exchange (比对核实, issue 18): its requests and answers counted — records
    /// asked, found, not found, mismatches per checked item, receipts — never a value. Read through the same
    /// rule as the API's listing (its two parties, the admin and auditors) and summed as `gx exchange report` sums.
    func verifications(_ agreement: SharingAgreement, _ visitor: Visitor) async throws -> Response {
        let id = agreement.id
        let entries = try await hub.verifications(id, readBy: visitor.principal)
        let summary = VerificationSummary(entries)
        let order = Dictionary(agreement.terms.items.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let mismatches = summary.mismatches.sorted { (order[$0.key] ?? .max, $0.key) < (order[$1.key] ?? .max, $1.key) }
        let chart = ConsoleChart.rows(mismatches.map { ConsoleChart.Bar(label: $0.key, value: Double($0.value), figure: String($0.value)) },
                                      title: text("verification.mismatch_chart", visitor), kind: "mismatch", color: "#bf8700")
        let rows: [[String: Any]] = entries.suffix(Self.shownVerifications).reversed().map { entry in
            let answer = entry.answer
            return [
                "seq": entry.sequence, "requested": Self.shortTime(entry.requestedAt), "records": entry.request.requests,
                "answered": entry.answeredAt.map(Self.shortTime) ?? "", "pending": answer == nil,
                "found": answer.map { String($0.found) } ?? "—", "notFound": answer.map { String($0.requests - $0.found) } ?? "—",
                "mismatches": answer.map { $0.mismatches.filter { $0.count > 0 }.map { "\($0.item) \($0.count)" }.joined(separator: "; ") } ?? "",
                "received": entry.receivedAt.map(Self.shortTime) ?? "—",
            ]
        }
        let status: (key: String, badge: String) = switch summary.status {
        case .awaitingProvider: ("verification.awaiting_provider", "warn")
        case .awaitingConsumer: ("verification.awaiting_consumer", "warn")
        default: ("verification.all_acknowledged", "ok")
        }
        return render("verification", title: "\(text("verification.title", visitor)) \(id)", [
            "id": id, "back": "\(Self.prefix)/agreements/\(Self.pathEscaped(id))",
            "requests": summary.requests, "records": summary.records, "answered": summary.answered, "found": summary.found,
            "notFound": summary.notFound, "receipts": summary.receipts,
            "status": text(status.key, visitor), "statusClass": status.badge, "pendingSince": summary.pendingSince.map(Self.shortTime) ?? "",
            "hasPending": summary.pendingSince != nil,
            "mismatches": mismatches.map { ["item": $0.key, "count": $0.value] }, "hasMismatches": !mismatches.isEmpty, "chart": chart,
            "rows": rows, "none": entries.isEmpty, "shown": rows.count, "more": entries.count > rows.count,
        ], for: visitor)
    }
}
