import Foundation
import GXDomain
import GXStorage

/// Oversight (issue 17): which pairs kept their agreed cadence, and the yearly statistics. Both are read
/// from the night totals the store keeps as it accepts batches and receipts, never by scanning batches.
/// Routes, the console and the metrics all call this.
public struct OversightWorkflow: Sendable {
    let hub: Hub
    var store: any HubStore { hub.store }

    public init(hub: Hub) { self.hub = hub }

    /// The agency a principal may report on: its own for an agency (another one is refused), any for the
    /// admin and auditors.
    public func scope(_ agency: String?, for principal: Principal) throws -> String? {
        guard case let .agency(code) = principal else { return agency }
        if let agency, agency != code {
            throw HubAPIError.forbidden(principal, "report on agency \(agency): an agency sees only its own agreements")
        }
        return code
    }

    // MARK: Cadence

    public func compliance(from: CalendarDate, through: CalendarDate, agency: String?, now: Date) async throws -> ComplianceReport {
        guard from <= through else { throw HubAPIError(.badRequest, "from \(from) is after to \(through)", field: "from") }
        guard through.dayNumber - from.dayNumber < 3660 else { throw HubAPIError(.badRequest, "a report covers at most ten years", field: "to") }
        let subjects = try await subjects(agency: agency)
        let window = ComplianceReport.window(of: subjects, from: from, through: through)
        // All totals of the window: an agency's agreements need the nights of the resources it consumes as well.
        let nights = try await store.cadenceNights(from: window.first, through: window.last)
        return ComplianceReport.build(subjects: subjects, nights: nights, from: from, through: through, now: now)
    }

    /// Every agreement that was ever active (with its active spans within its validity, as the store keeps
    /// them with the acts: `AgreementSpans`) and every resource
    /// by its catalogue update cycle (from its publication), for one agency or all.
    func subjects(agency: String?) async throws -> [ComplianceReport.Subject] {
        let spans = try await store.agreementSpans()
        var subjects: [ComplianceReport.Subject] = []
        for agreement in try await store.agreements(matching: AgreementQuery(party: agency)) {
            let t = agreement.terms
            let valid = ActiveSpan(from: t.validFrom.startInChina, until: t.validUntil.adding(days: 1).startInChina)
            let within = (spans[agreement.id] ?? []).compactMap { span -> ActiveSpan? in
                let from = max(span.from, valid.from)
                let until = min(span.until ?? valid.until!, valid.until!)
                return from < until ? ActiveSpan(from: from, until: until) : nil
            }
            guard !within.isEmpty else { continue }
            subjects.append(.init(agreementID: agreement.id, resourceCode: t.resourceCode, provider: t.provider, consumer: t.consumer,
                                  frequency: t.frequency, spans: within))
        }
        for entry in try await store.catalogueEntries() where agency == nil || entry.provider == agency {
            subjects.append(.init(agreementID: nil, resourceCode: entry.resourceCode, provider: entry.provider, consumer: nil,
                                  frequency: entry.updateCycle, spans: [ActiveSpan(from: entry.publishedOn.startInChina, until: nil)]))
        }
        return subjects
    }

    /// Every audit entry of one action in a time range, page by page.
    func entries(action: String, from: Date?, until: Date?) async throws -> [AuditEntry] {
        var all: [AuditEntry] = []
        var after: Int64 = 0
        while true {
            let page = try await store.auditEntries(matching: AuditQuery(action: action, from: from, until: until, afterSeq: after,
                                                                         limit: AuditQuery.maximumLimit))
            all += page
            guard page.count == AuditQuery.maximumLimit, let last = page.last else { return all }
            after = last.seq
        }
    }

    /// The agreements whose last ended period was a 空白, for the overdue metric: the periods containing
    /// the night before now.
    public func overdueAgreements(now: Date) async throws -> [ComplianceRow] {
        let tonight = CalendarDate.night(of: now)
        var from = tonight
        let cycles = Set(try await store.agreements(matching: AgreementQuery(state: .active)).map(\.terms.frequency))
        for cycle in cycles {
            let previous = CadencePeriod.of(cycle, containing: CadencePeriod.of(cycle, containing: tonight).first.adding(days: -1))
            from = min(from, previous.first)
        }
        return try await compliance(from: from, through: tonight, agency: nil, now: now).rows.filter { $0.agreementID != nil && $0.isOverdue }
    }

    // MARK: Statistics

    public func statistics(year: Int, month: Int?, agency: String?, now: Date) async throws -> StatisticsReport {
        guard (2000...2999).contains(year) else { throw HubAPIError(.badRequest, "expected a year such as 2026", field: "year") }
        if let month, !(1...12).contains(month) { throw HubAPIError(.badRequest, "expected a month from 1 to 12", field: "month") }
        let first = CalendarDate(year: year, month: month ?? 1, day: 1)
        let lastMonth = month ?? 12
        let last = CadencePeriod.of(.monthly, containing: CalendarDate(year: year, month: lastMonth, day: 1)).last
        let start = first.nightStart, end = last.adding(days: 1).nightStart
        func monthKey(_ day: CalendarDate) -> String { String(day.description.prefix(7)) }

        var lines = StatisticsLines()
        let agreements = try await store.agreements(matching: AgreementQuery(party: agency))
        let byID = Dictionary(agreements.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        // Agreements filed, suspended, revoked in the period, from the audit chain.
        let acts: [(String, WritableKeyPath<StatisticsLine, Int>)] = [("agreement.filed", \.agreementsFiled),
                                                                      ("agreement.suspended", \.agreementsSuspended), ("agreement.revoked", \.agreementsRevoked)]
        for (action, keyPath) in acts {
            // `until` is inclusive: the last millisecond before the period's end.
            for entry in try await entries(action: action, from: start, until: end.addingTimeInterval(-0.001)) {
                guard let id = entry.agreement, let agreement = byID[id], let time = Timestamp.instant(from: entry.time) else { continue }
                lines.add(month: monthKey(CalendarDate.night(of: time)), agreement: agreement.terms) { $0[keyPath: keyPath] += 1 }
            }
        }
        // Pairs active at some time in each month.
        let spans = try await store.agreementSpans()
        for agreement in agreements {
            for monthNumber in (month ?? 1)...lastMonth {
                let period = CadencePeriod.of(.monthly, containing: CalendarDate(year: year, month: monthNumber, day: 1))
                let active = (spans[agreement.id] ?? []).contains { $0.from < period.end && ($0.until.map { $0 > period.start } ?? true) }
                if active { lines.addActive(month: monthKey(period.first), agreement: agreement.terms) }
            }
        }
        // Batches, records and quarantine from the monthly totals.
        for total in try await store.monthlyExchangeTotals(from: first, through: last) {
            if let agency, total.provider != agency, total.consumer != agency { continue }
            let key = monthKey(total.night)
            if total.isResourceRow {
                lines.add(month: key, resource: total.resourceCode, agencies: [total.provider]) {
                    $0.batches += total.batches
                    $0.recordsProvided += total.recordsProvided
                    $0.quarantined += total.quarantined
                }
            } else {
                lines.add(month: key, resource: total.resourceCode, agencies: [total.provider, total.consumer]) {
                    $0.recordsDelivered += total.recordsDelivered
                    $0.recordsApplied += total.recordsApplied
                }
            }
        }
        for finding in try await store.monthlyQuarantineTotals(from: first, through: last) where agency == nil || finding.provider == agency {
            lines.add(month: monthKey(finding.night), resource: finding.resourceCode, agencies: [finding.provider]) {
                $0.quarantinedByRule["\(finding.item)/\(finding.rule)", default: 0] += finding.count
            }
        }
        // Demands: received when submitted; answered when decided, on time within the limit of whoever decided.
        var days: [String: [Double]] = [:]
        for demand in try await store.demands(matching: DemandQuery(party: agency)) {
            let agencies = [demand.provider, demand.consumer]
            if let submitted = Timestamp.instant(from: demand.submittedAt), submitted >= start, submitted < end {
                lines.add(month: monthKey(CalendarDate.night(of: submitted)), resource: demand.resourceCode, agencies: [demand.provider]) {
                    $0.demandsReceived += 1
                }
            }
            guard let decision = answer(to: demand), decision.at >= start, decision.at < end else { continue }
            let key = monthKey(CalendarDate.night(of: decision.at))
            lines.add(month: key, resource: demand.resourceCode, agencies: agencies) {
                $0.demandsAnswered += 1
                if decision.onTime { $0.demandsAnsweredOnTime += 1 }
                if demand.state == .refused { $0.demandsRefused += 1 }
            }
            for line in lines.keys(month: key, resource: demand.resourceCode, agencies: agencies) { days[line, default: []].append(decision.days) }
        }
        lines.setMedians(days)
        // Objections: counted in the month they were raised; resolved on time when answered within the deadline.
        let objections = try await store.objections(matching: ObjectionQuery(raisedFrom: Timestamp.string(from: start),
                                                                             raisedBefore: Timestamp.string(from: end)))
        for objection in objections where agency == nil || objection.provider == agency || objection.consumer == agency {
            guard let raised = Timestamp.instant(from: objection.raisedAt) else { continue }
            lines.add(month: monthKey(CalendarDate.night(of: raised)), resource: objection.resourceCode,
                      agencies: [objection.provider, objection.consumer]) {
                $0.objectionsRaised += 1
                if objection.answeredInTime == true { $0.objectionsResolvedOnTime += 1 }
            }
        }
        let months = ((month ?? 1)...lastMonth).map { String(CalendarDate(year: year, month: $0, day: 1).description.prefix(7)) }
        return StatisticsReport(year: year, month: month, asOf: Timestamp.string(from: now), total: lines.total,
                                byMonth: months.map { lines.months[$0] ?? StatisticsLine(key: $0) },
                                byAgency: lines.agencies.values.sorted { $0.key < $1.key },
                                byResource: lines.resources.values.sorted { $0.key < $1.key })
    }

    /// When a demand was decided, whether within its limit, and after how many calendar days.
    func answer(to demand: SharingDemand) -> (at: Date, onTime: Bool, days: Double)? {
        guard [.granted, .partiallyGranted, .refused].contains(demand.state),
              let submitted = Timestamp.instant(from: demand.submittedAt) else { return nil }
        let decided: Date, deadline: Date
        if let reply = demand.reply, let at = reply.at.flatMap(Timestamp.instant(from:)),
           let forwarded = demand.review?.at.flatMap(Timestamp.instant(from:)) {
            decided = at
            deadline = hub.calendar.deadline(from: forwarded, workingDays: DemandWorkflow.replyWorkingDays)
        } else if let at = demand.review?.at.flatMap(Timestamp.instant(from:)) {
            decided = at
            deadline = hub.calendar.deadline(from: submitted, workingDays: DemandWorkflow.reviewWorkingDays)
        } else {
            return nil
        }
        return (decided, decided <= deadline, (decided.timeIntervalSince(submitted) / 86_400 * 10).rounded() / 10)
    }
}

/// The lines of a statistics report as they are added up: every figure lands in the total, its month, its
/// resource and each agency party to it.
struct StatisticsLines {
    var total = StatisticsLine(key: "total")
    var months: [String: StatisticsLine] = [:]
    var agencies: [String: StatisticsLine] = [:]
    var resources: [String: StatisticsLine] = [:]

    mutating func add(month: String, resource: String, agencies parties: [String], _ change: (inout StatisticsLine) -> Void) {
        change(&total)
        change(&months[month, default: StatisticsLine(key: month)])
        change(&resources[resource, default: StatisticsLine(key: resource)])
        for agency in Set(parties) { change(&agencies[agency, default: StatisticsLine(key: agency)]) }
    }

    mutating func add(month: String, agreement: AgreementTerms, _ change: (inout StatisticsLine) -> Void) {
        add(month: month, resource: agreement.resourceCode, agencies: [agreement.provider, agreement.consumer], change)
    }

    /// An agreement active in a month counts once in that month; in the total, its resource's and its agencies'
    /// lines it counts once for the whole report, however many months it was active.
    var counted: Set<String> = []
    mutating func addActive(month: String, agreement: AgreementTerms) {
        months[month, default: StatisticsLine(key: month)].pairsActive += 1
        guard counted.insert(agreement.id).inserted else { return }
        total.pairsActive += 1
        resources[agreement.resourceCode, default: StatisticsLine(key: agreement.resourceCode)].pairsActive += 1
        for agency in Set([agreement.provider, agreement.consumer]) { agencies[agency, default: StatisticsLine(key: agency)].pairsActive += 1 }
    }

    /// Keys of the lines a figure lands in, for the medians: `t`, `m:`, `r:`, `a:`.
    func keys(month: String, resource: String, agencies parties: [String]) -> [String] {
        ["t", "m:" + month, "r:" + resource] + Set(parties).map { "a:" + $0 }
    }

    mutating func setMedians(_ days: [String: [Double]]) {
        func median(_ key: String) -> Double? {
            guard let values = days[key]?.sorted(), !values.isEmpty else { return nil }
            let middle = values.count / 2
            return values.count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2
        }
        total.medianDaysToAnswer = median("t")
        for key in months.keys { months[key]?.medianDaysToAnswer = median("m:" + key) }
        for key in resources.keys { resources[key]?.medianDaysToAnswer = median("r:" + key) }
        for key in agencies.keys { agencies[key]?.medianDaysToAnswer = median("a:" + key) }
    }
}
