import Foundation
import GXDomain
import GXHub
import GXStorage
import Hummingbird

extension Console {
    /// One agreement's flow: per batch sent, quarantined, applied, matched and the delivery lag; as charts,
    /// records per night, the slowest delivery lag per night, and the latest pass's quarantined rows by rule.
    func exchange(_ id: String, _ visitor: Visitor) async throws -> Response {
        let agreement = try await hub.visibleAgreement(id, to: visitor.principal)
        // A verification agreement (比对核实) moves no batches: its page counts requests and answers instead.
        if agreement.terms.method == .verification { return try await verifications(agreement, visitor) }
        let store = hub.store
        let resource = agreement.terms.resourceCode
        var rows: [[String: Any]] = []
        var nights: [String: (sent: Int64, applied: Int64)] = [:]
        // Acceptance to the consumer's receipt reaching the hub, the slowest batch of each night.
        var lags: [String: TimeInterval] = [:]
        // Only a pass's last batch reports the rows it holds back (every pass reports all it still has).
        var lastPass: [QualityFinding]?
        var totals = (sent: Int64(0), quarantined: Int64(0), applied: Int64(0), matched: 0, batches: 0)
        var after: Int64 = 0
        // The most recent 2 000 batches at most: enough for months of nights.
        let last = try await store.lastBatchSequence(resourceCode: resource)
        after = max(0, last - 2000)
        while true {
            let batches = try await store.batches(resourceCode: resource, after: after, limit: 500)
            guard let final = batches.last else { break }
            for batch in batches {
                let sequence = batch.manifest.sequence
                guard let delivery = try await store.delivery(agreementID: id, sequence: sequence) else { continue }
                let receipt = try await store.receipt(agreementID: id, sequence: sequence)
                let sent = delivery.manifest.counts.records
                let applied = receipt.map { $0.receipt.upsertsApplied + $0.receipt.deletesApplied } ?? 0
                let matched = receipt.map { $0.receipt.recordsSM3 == delivery.manifest.records.sm3 } ?? false
                let night = Timestamp.date(from: batch.acceptedAt).map { Timestamp.beijingDay(of: $0).description } ?? String(batch.acceptedAt.prefix(10))
                var lag: TimeInterval?
                if let receipt, let accepted = Timestamp.date(from: batch.acceptedAt), let received = Timestamp.date(from: receipt.receivedAt) {
                    lag = max(0, received.timeIntervalSince(accepted))
                    lags[night] = max(lags[night] ?? 0, lag!)
                }
                if batch.manifest.isLastOfPass || batch.manifest.endsPass == nil { lastPass = batch.manifest.quarantine }
                nights[night, default: (0, 0)].sent += sent
                nights[night, default: (0, 0)].applied += applied
                totals.sent += sent
                totals.quarantined += batch.manifest.counts.quarantined
                totals.applied += applied
                totals.matched += matched ? 1 : 0
                totals.batches += 1
                rows.append(["seq": sequence, "night": night, "sent": sent, "quarantined": batch.manifest.counts.quarantined,
                             "applied": applied, "matched": matched, "pending": receipt == nil,
                             "lag": lag.map { Self.duration($0, visitor.language) } ?? "—"])
            }
            after = final.manifest.sequence
        }
        let series = nights.keys.sorted().suffix(31).map { (night: $0, sent: nights[$0]!.sent, applied: nights[$0]!.applied) }
        let chart = ConsoleChart.recordsPerNight(series, sentLabel: text("exchange.sent", visitor), appliedLabel: text("exchange.applied", visitor),
                                                 title: text("exchange.chart", visitor))
        let lagBars = lags.keys.sorted().suffix(31).map {
            ConsoleChart.Bar(label: $0, value: lags[$0]!, figure: Self.duration(lags[$0]!, visitor.language))
        }
        let unit = ConsoleChart.lagUnit(lagBars.map(\.value).max() ?? 0)
        let lagChart = ConsoleChart.columns(lagBars, title: text("exchange.lag_chart", visitor), kind: "lag", color: "#8250df", unit: unit) {
            ConsoleChart.lagTick($0, unit: unit, visitor.language)
        }
        let rules = Self.byRule(lastPass ?? [])
        let ruleChart = ConsoleChart.rows(rules.map { ConsoleChart.Bar(label: $0.rule, value: Double($0.count), figure: String($0.count)) },
                                          title: text("exchange.rule_chart", visitor), kind: "rule", color: "#cf222e")
        return render("exchange", title: "\(text("exchange.title", visitor)) \(id)", [
            "lagChart": lagChart, "hasLag": !lagBars.isEmpty,
            "ruleChart": ruleChart, "hasRules": !rules.isEmpty, "rules": rules.map { ["rule": $0.rule, "count": $0.count] },
            "id": id, "back": "\(Self.prefix)/agreements/\(Self.pathEscaped(id))", "chart": chart, "hasChart": !series.isEmpty,
            "rows": Array(rows.reversed().prefix(200)), "none": rows.isEmpty,
            "sent": totals.sent, "quarantined": totals.quarantined, "applied": totals.applied,
            "matched": totals.matched, "batches": totals.batches,
        ], for: visitor)
    }

    /// Findings summed per item and rule (`姓名: required`), largest first: what a chart of quarantine by rule shows.
    static func byRule(_ findings: [QualityFinding]) -> [(rule: String, count: Int64)] {
        var sums: [String: Int64] = [:]
        for finding in findings { sums["\(finding.item): \(finding.rule)", default: 0] += finding.count }
        return sums.map { (rule: $0.key, count: $0.value) }.sorted { $0.count != $1.count ? $0.count > $1.count : $0.rule < $1.rule }
    }
}
