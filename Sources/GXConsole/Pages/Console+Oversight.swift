import Foundation
import GXDomain
import GXHub
import GXStorage
import Hummingbird

/// Oversight pages (issue 17): a calendar of kept and missed periods per sharing pair, and the year's
/// statistics with charts. Both call the same `OversightWorkflow` as the API and `gx report`.
extension Console {
    func addOversightPages(to group: RouterGroup<HubRequestContext>) {
        page(group, .get, "compliance", allow: Set(PrincipalKind.allCases)) { request, _, visitor, _ in try await compliance(request, visitor) }
        page(group, .get, "statistics", allow: Set(PrincipalKind.allCases)) { request, _, visitor, _ in try await statistics(request, visitor) }
    }

    /// The cadence of every pair the visitor may see, one calendar each; by default this month's nights so far.
    func compliance(_ request: Request, _ visitor: Visitor) async throws -> Response {
        let time = now()
        let tonight = CalendarDate.night(of: time)
        func date(_ name: String, _ fallback: CalendarDate) throws -> CalendarDate {
            guard let text = Self.filterText(request, name) else { return fallback }
            guard let date = CalendarDate(text) else { throw ConsolePageError(.badRequest, "error.bad_filter", detail: name) }
            return date
        }
        let from = try date("from", CalendarDate(year: tonight.year, month: tonight.month, day: 1))
        let through = try date("to", tonight)
        guard from <= through, through.dayNumber - from.dayNumber <= 366 else { throw ConsolePageError(.badRequest, "error.bad_filter", detail: "to") }
        let workflow = OversightWorkflow(hub: hub)
        let agency = try workflow.scope(nil, for: visitor.principal)
        let report = try await workflow.compliance(from: from, through: through, agency: agency, now: time)
        let labels = Dictionary(uniqueKeysWithValues: CadenceStatus.allCases.map { ($0, text("oversight.status.\($0.rawValue)", visitor)) })
        let rows: [[String: Any]] = report.rows.map { row in
            [
                "agreement": row.agreementID ?? text("oversight.catalogue_promise", visitor),
                "href": row.agreementID.map { "\(Self.prefix)/agreements/\(Self.pathEscaped($0))" } ?? "",
                "hasLink": row.agreementID != nil,
                "resource": row.resourceCode, "provider": row.provider, "consumer": row.consumer ?? "—",
                "frequency": row.frequency.rawValue,
                "onTime": row.count(.onTime), "late": row.count(.late), "blank": row.blanks,
                "calendar": CadenceCalendar.svg(row, labels: labels, title: "\(row.agreementID ?? row.resourceCode) \(row.frequency.rawValue)"),
            ]
        }
        let legend: [[String: Any]] = CadenceStatus.allCases.map { ["label": labels[$0]!, "color": CadenceCalendar.color($0), "mark": $0.mark] }
        return render("compliance", title: text("oversight.compliance_title", visitor), [
            "from": from.description, "to": through.description, "rows": rows, "none": rows.isEmpty, "legend": legend,
        ], for: visitor)
    }

    /// The year's (or a month's) figures, with records and demands charted per month.
    func statistics(_ request: Request, _ visitor: Visitor) async throws -> Response {
        let time = now()
        let thisYear = Timestamp.beijingDay(of: time).year
        var year = thisYear
        if let text = Self.filterText(request, "year") {
            guard let value = Int(text), (2000...2999).contains(value) else { throw ConsolePageError(.badRequest, "error.bad_filter", detail: "year") }
            year = value
        }
        var month: Int?
        if let text = Self.filterText(request, "month") {
            guard let value = Int(text), (1...12).contains(value) else { throw ConsolePageError(.badRequest, "error.bad_filter", detail: "month") }
            month = value
        }
        let workflow = OversightWorkflow(hub: hub)
        let report = try await workflow.statistics(year: year, month: month, agency: try workflow.scope(nil, for: visitor.principal), now: time)
        func line(_ l: StatisticsLine) -> [String: Any] {
            [
                "key": l.key, "filed": l.agreementsFiled, "suspended": l.agreementsSuspended, "revoked": l.agreementsRevoked,
                "pairs": l.pairsActive, "batches": l.batches, "provided": l.recordsProvided, "delivered": l.recordsDelivered,
                "applied": l.recordsApplied, "quarantined": l.quarantined,
                "rules": l.quarantinedByRule.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: "; "),
                "received": l.demandsReceived, "onTime": l.demandsAnsweredOnTime, "refused": l.demandsRefused,
                "median": l.medianDaysToAnswer.map { String(format: "%.1f", $0) } ?? "—",
                "objections": l.objectionsRaised, "objectionsOnTime": l.objectionsResolvedOnTime,
            ]
        }
        let series = report.byMonth.map { (night: String($0.key.suffix(2)), sent: $0.recordsProvided, applied: $0.recordsApplied) }
        let records = ConsoleChart.recordsPerNight(series, sentLabel: text("oversight.provided", visitor), appliedLabel: text("oversight.applied", visitor),
                                                   title: text("oversight.records_chart", visitor))
        let demandSeries = report.byMonth.map { (night: String($0.key.suffix(2)), sent: Int64($0.demandsReceived), applied: Int64($0.demandsAnsweredOnTime)) }
        let demands = ConsoleChart.recordsPerNight(demandSeries, sentLabel: text("oversight.demands_received", visitor),
                                                   appliedLabel: text("oversight.demands_on_time", visitor), title: text("oversight.demands_chart", visitor))
        let objectionSeries = report.byMonth.map { (night: String($0.key.suffix(2)), sent: Int64($0.objectionsRaised), applied: Int64($0.objectionsResolvedOnTime)) }
        let objections = ConsoleChart.recordsPerNight(objectionSeries, sentLabel: text("oversight.objections_raised", visitor),
                                                      appliedLabel: text("oversight.objections_on_time", visitor),
                                                      title: text("oversight.objections_chart", visitor), kinds: ("raised", "resolved"))
        // Rules as `item: rule`, largest first, as the exchange page names them.
        let rules = report.total.quarantinedByRule.map { (rule: $0.key.replacingOccurrences(of: "/", with: ": "), count: $0.value) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.rule < $1.rule }
        let ruleChart = ConsoleChart.rows(rules.map { ConsoleChart.Bar(label: $0.rule, value: Double($0.count), figure: String($0.count)) },
                                          title: text("oversight.rule_chart", visitor), kind: "rule", color: "#cf222e")
        return render("statistics", title: text("oversight.statistics_title", visitor), [
            "objections": objections, "ruleChart": ruleChart, "hasRules": !rules.isEmpty,
            "year": year, "month": month.map { String($0) } ?? "", "total": line(report.total), "records": records, "demands": demands,
            "months": report.byMonth.map(line), "agencies": report.byAgency.map(line), "resources": report.byResource.map(line),
        ], for: visitor)
    }
}

/// A pair's periods as a calendar drawn by the server: one square per period, coloured by how it went; a daily
/// pair's nights in weeks from Monday, other frequencies in a row.
enum CadenceCalendar {
    static func color(_ status: CadenceStatus) -> String {
        switch status {
        case .onTime: "#2da44e"
        case .late: "#d4a72c"
        case .notApplied: "#fb8f44"
        case .missed: "#cf222e"
        case .pending: "#afb8c1"
        case .notDue: "#f6f8fa"
        }
    }

    static func svg(_ row: ComplianceRow, labels: [CadenceStatus: String], title: String) -> String {
        let cell = 18.0, gap = 3.0
        let daily = row.frequency == .daily || row.frequency == .realTime
        let offset = daily ? (row.periods.first.map { $0.first.weekday - 1 } ?? 0) : 0
        let columns = daily ? 7 : max(1, min(row.periods.count, 24))
        let count = row.periods.count + offset
        let lines = max(1, (count + columns - 1) / columns)
        let width = Double(columns) * (cell + gap), height = Double(lines) * (cell + gap)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"calendar\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(ConsoleChart.escape(title))\">"
        svg += "<title>\(ConsoleChart.escape(title))</title>"
        for (index, period) in row.periods.enumerated() {
            let position = index + offset
            let x = Double(position % columns) * (cell + gap), y = Double(position / columns) * (cell + gap)
            let name = period.first == period.last ? period.first.description : "\(period.first)…\(period.last)"
            let label = "\(name) \(labels[period.status] ?? period.status.rawValue)"
            svg += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(cell)\" height=\"\(cell)\" rx=\"3\" fill=\"\(color(period.status))\" stroke=\"#d0d7de\"><title>\(ConsoleChart.escape(label))</title></rect>"
            if daily {
                svg += "<text x=\"\(x + cell / 2)\" y=\"\(y + 13)\" text-anchor=\"middle\" font-size=\"9\" fill=\"#222\">\(period.first.day)</text>"
            }
        }
        return svg + "</svg>"
    }
}
