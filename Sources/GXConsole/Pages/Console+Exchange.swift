import Foundation
import GXDomain
import GXHub
import GXStorage
import Hummingbird

extension Console {
    /// One agreement's flow: per batch sent, quarantined, applied and matched, and records per night as a chart.
    func exchange(_ id: String, _ visitor: Visitor) async throws -> Response {
        let agreement = try await hub.visibleAgreement(id, to: visitor.principal)
        let store = hub.store
        let resource = agreement.terms.resourceCode
        var rows: [[String: Any]] = []
        var nights: [String: (sent: Int64, applied: Int64)] = [:]
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
                nights[night, default: (0, 0)].sent += sent
                nights[night, default: (0, 0)].applied += applied
                totals.sent += sent
                totals.quarantined += batch.manifest.counts.quarantined
                totals.applied += applied
                totals.matched += matched ? 1 : 0
                totals.batches += 1
                rows.append(["seq": sequence, "night": night, "sent": sent, "quarantined": batch.manifest.counts.quarantined,
                             "applied": applied, "matched": matched, "pending": receipt == nil])
            }
            after = final.manifest.sequence
        }
        let series = nights.keys.sorted().suffix(31).map { (night: $0, sent: nights[$0]!.sent, applied: nights[$0]!.applied) }
        let chart = ConsoleChart.recordsPerNight(series, sentLabel: text("exchange.sent", visitor), appliedLabel: text("exchange.applied", visitor),
                                                 title: text("exchange.chart", visitor))
        return render("exchange", title: "\(text("exchange.title", visitor)) \(id)", [
            "id": id, "back": "\(Self.prefix)/agreements/\(Self.pathEscaped(id))", "chart": chart, "hasChart": !series.isEmpty,
            "rows": Array(rows.reversed().prefix(200)), "none": rows.isEmpty,
            "sent": totals.sent, "quarantined": totals.quarantined, "applied": totals.applied,
            "matched": totals.matched, "batches": totals.batches,
        ], for: visitor)
    }
}

/// Charts drawn by the server as SVG: nothing is fetched, nothing runs in the browser.
enum ConsoleChart {
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// Two bars per night, records sent and records applied, on a common scale.
    static func recordsPerNight(_ series: [(night: String, sent: Int64, applied: Int64)], sentLabel: String, appliedLabel: String, title: String) -> String {
        let width = 760.0, height = 260.0, left = 70.0, bottom = 40.0, top = 30.0
        let plotWidth = width - left - 10, plotHeight = height - top - bottom
        let peak = max(1, series.map { max($0.sent, $0.applied) }.max() ?? 1)
        let slot = plotWidth / Double(max(series.count, 1))
        let bar = max(2, min(24, slot / 2 - 2))
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(escape(title))\">"
        svg += "<title>\(escape(title))</title>"
        for step in 0...4 {
            let value = Double(peak) * Double(step) / 4
            let y = top + plotHeight - plotHeight * Double(step) / 4
            svg += "<line x1=\"\(left)\" y1=\"\(y)\" x2=\"\(width - 10)\" y2=\"\(y)\" stroke=\"#d0d7de\" stroke-width=\"1\"/>"
            svg += "<text x=\"\(left - 6)\" y=\"\(y + 4)\" text-anchor=\"end\" font-size=\"11\" fill=\"#444\">\(Int(value.rounded()))</text>"
        }
        for (index, point) in series.enumerated() {
            let x = left + slot * Double(index) + slot / 2
            let sentHeight = plotHeight * Double(point.sent) / Double(peak)
            let appliedHeight = plotHeight * Double(point.applied) / Double(peak)
            svg += "<rect x=\"\(x - bar - 1)\" y=\"\(top + plotHeight - sentHeight)\" width=\"\(bar)\" height=\"\(sentHeight)\" fill=\"#1f6feb\"><title>\(escape(point.night)) \(escape(sentLabel)) \(point.sent)</title></rect>"
            svg += "<rect x=\"\(x + 1)\" y=\"\(top + plotHeight - appliedHeight)\" width=\"\(bar)\" height=\"\(appliedHeight)\" fill=\"#2da44e\"><title>\(escape(point.night)) \(escape(appliedLabel)) \(point.applied)</title></rect>"
            if series.count <= 12 || index % max(1, series.count / 8) == 0 {
                svg += "<text x=\"\(x)\" y=\"\(height - bottom + 16)\" text-anchor=\"middle\" font-size=\"11\" fill=\"#444\">\(escape(String(point.night.suffix(5))))</text>"
            }
        }
        svg += "<rect x=\"\(left)\" y=\"6\" width=\"12\" height=\"12\" fill=\"#1f6feb\"/><text x=\"\(left + 16)\" y=\"16\" font-size=\"12\" fill=\"#222\">\(escape(sentLabel))</text>"
        svg += "<rect x=\"\(left + 140)\" y=\"6\" width=\"12\" height=\"12\" fill=\"#2da44e\"/><text x=\"\(left + 156)\" y=\"16\" font-size=\"12\" fill=\"#222\">\(escape(appliedLabel))</text>"
        svg += "</svg>"
        return svg
    }
}
