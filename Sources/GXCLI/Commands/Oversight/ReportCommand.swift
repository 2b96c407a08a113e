import ArgumentParser
import Foundation
import GXDomain

/// Oversight reports (issue 17) for auditors and the authority: cadence per sharing pair, and statistics.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Oversight: which pairs kept their agreed cadence, and yearly statistics (admin, auditor, an agency for its own).",
        subcommands: [Compliance.self, Statistics.self])

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv, json }

    struct Compliance: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Per agreement and period of its frequency: pass completed, applied on time or late, or nothing (空白).",
            discussion: """
                Nights run 12:00 to 12:00 Beijing time and are named by the day they begin; a weekly agreement's period \
                is a week of nights from Monday, a monthly one the nights beginning in the month. A period is on time (✓) \
                when the provider's pass completed in it and the consumer's matching receipt for the pass's last batch \
                reached the hub before it ended; late (L) when the receipt came after; not applied (A) when none came; \
                missed (X) when no pass completed; pending (…) while it runs; not due (·) while the agreement was not \
                active. Rows without an agreement are resources measured by their catalogue update cycle: a night \
                without a pass counts against the provider.
                """)
        @OptionGroup var connection: HubConnectionOptions
        @Option(help: "First night, a date (YYYY-MM-DD).") var from: String
        @Option(help: "Last night, a date (YYYY-MM-DD), inclusive.") var to: String
        @Option(help: "Only the agreements and resources of this agency.") var agency: String?
        @Option(help: "table, csv or json.") var format: Format = .table

        func run() async throws {
            for (name, value) in [("from", from), ("to", to)] where CalendarDate(value) == nil {
                throw ValidationError("--\(name) must be a date such as 2026-11-01, got '\(value)'")
            }
            var path = "/v1/reports/compliance?from=\(from)&to=\(to)"
            if let agency { path += "&agency=\(agency.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? agency)" }
            let report: ComplianceReport = try await connection.client().get(path)
            print(ReportCommand.render(report, format), terminator: "")
        }
    }

    struct Statistics: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Per month, agency and resource: agreements, pairs, batches, records, quarantine, demands and objections.",
            discussion: """
                Months are the nights beginning in them. PROVIDED counts the records of accepted batches, DELIVERED those \
                projected to consumers, APPLIED those consumers acknowledged with matching receipts; QUARANTINED the rows \
                each batch reported held back (a row still invalid the next night counts again). DEMANDS: received / \
                answered on time / refused, and the median calendar days from submission to decision. OBJECTIONS: \
                raised / answered by the provider within its deadline. An agency's line \
                counts what it provides and what it consumes.
                """)
        @OptionGroup var connection: HubConnectionOptions
        @Option(help: "The year, e.g. 2026.") var year: Int
        @Option(help: "Only this month (1–12).") var month: Int?
        @Option(help: "table, csv or json.") var format: Format = .table

        func run() async throws {
            var path = "/v1/reports/statistics?year=\(year)"
            if let month { path += "&month=\(month)" }
            let report: StatisticsReport = try await connection.client().get(path)
            print(ReportCommand.render(report, format), terminator: "")
        }
    }

    // MARK: Rendering

    static func render(_ report: ComplianceReport, _ format: Format) -> String {
        switch format {
        case .json:
            return json(report)
        case .csv:
            var lines = ["agreement,resource,provider,consumer,frequency,first,last,status,pass_completed_at,applied_at,batches,receipts_matched"]
            for row in report.rows {
                for p in row.periods {
                    lines.append([row.agreementID ?? "", row.resourceCode, row.provider, row.consumer ?? "", row.frequency.rawValue,
                                  p.first.description, p.last.description, p.status.rawValue, p.passCompletedAt ?? "", p.appliedAt ?? "",
                                  String(p.batches), String(p.receiptsMatched)].map(csv).joined(separator: ","))
                }
            }
            return lines.joined(separator: "\n") + "\n"
        case .table:
            var table = TextTable("AGREEMENT", "RESOURCE", "PROVIDER", "CONSUMER", "FREQ", "ON TIME", "LATE", "NOT APPLIED", "MISSED", "PENDING", "PERIODS")
            for row in report.rows {
                table.add(row.agreementID ?? "(catalogue)", row.resourceCode, row.provider, row.consumer ?? "-", row.frequency.rawValue,
                          String(row.count(.onTime)), String(row.count(.late)), String(row.count(.notApplied)), String(row.count(.missed)),
                          String(row.count(.pending)), row.periods.map(\.status.mark).joined())
            }
            return "Cadence \(report.from) … \(report.through) (nights from 12:00 Beijing; ✓ on time, L late, A not applied, X missed, … pending, · not due)\n"
                + table.render() + "\n"
        }
    }

    static func render(_ report: StatisticsReport, _ format: Format) -> String {
        if format == .json { return json(report) }
        var lines: [(String, StatisticsLine)] = [("total", report.total)]
        lines += report.byMonth.map { ("month", $0) }
        lines += report.byAgency.map { ("agency", $0) }
        lines += report.byResource.map { ("resource", $0) }
        func median(_ line: StatisticsLine) -> String { line.medianDaysToAnswer.map { String(format: "%.1f", $0) } ?? "" }
        if format == .csv {
            var out = ["scope,key,agreements_filed,agreements_suspended,agreements_revoked,pairs_active,batches,records_provided,records_delivered,records_applied,quarantined,quarantined_by_rule,demands_received,demands_answered,demands_answered_on_time,demands_refused,median_days_to_answer,objections_raised,objections_resolved_on_time"]
            for (scope, l) in lines {
                let rules = l.quarantinedByRule.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";")
                let agreements: [Int] = [l.agreementsFiled, l.agreementsSuspended, l.agreementsRevoked, l.pairsActive]
                let records: [Int64] = [l.batches, l.recordsProvided, l.recordsDelivered, l.recordsApplied, l.quarantined]
                let demands: [Int] = [l.demandsReceived, l.demandsAnswered, l.demandsAnsweredOnTime, l.demandsRefused]
                var fields: [String] = [scope, l.key]
                fields += agreements.map { String($0) }
                fields += records.map { String($0) }
                fields.append(rules)
                fields += demands.map { String($0) }
                fields.append(median(l))
                fields += [String(l.objectionsRaised), String(l.objectionsResolvedOnTime)]
                out.append(fields.map(csv).joined(separator: ","))
            }
            return out.joined(separator: "\n") + "\n"
        }
        var table = TextTable("SCOPE", "KEY", "FILED/SUSP/REVOKED", "PAIRS", "BATCHES", "PROVIDED", "DELIVERED", "APPLIED", "QUARANTINED",
                              "DEMANDS (RECV/ON TIME/REFUSED)", "MEDIAN DAYS", "OBJECTIONS (RAISED/ON TIME)")
        for (scope, l) in lines {
            table.add(scope, l.key, "\(l.agreementsFiled)/\(l.agreementsSuspended)/\(l.agreementsRevoked)", String(l.pairsActive), String(l.batches),
                      String(l.recordsProvided), String(l.recordsDelivered), String(l.recordsApplied), String(l.quarantined),
                      "\(l.demandsReceived)/\(l.demandsAnsweredOnTime)/\(l.demandsRefused)", median(l),
                      "\(l.objectionsRaised)/\(l.objectionsResolvedOnTime)")
        }
        let period = report.month.map { String(format: "%04d-%02d", report.year, $0) } ?? String(report.year)
        return "Statistics \(period) (months are the nights beginning in them)\n" + table.render() + "\n"
    }

    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self) + "\n"
    }

    /// A CSV field, quoted when it holds a comma, quote or line break (RFC 4180).
    static func csv(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
