import Foundation
import GXCrypto
import GXDomain
import GXHub
import GXStorage
import Hummingbird

extension Console {
    func addAuditPages(to group: RouterGroup<HubRequestContext>) {
        let auditors: Set<PrincipalKind> = [.admin, .auditor]
        page(group, .get, "audit", allow: auditors) { request, _, visitor, _ in try await auditLog(request, visitor) }
        page(group, .get, "audit/verify", allow: auditors) { _, _, visitor, _ in try await verifyChain(visitor) }
        page(group, .get, "audit/export.csv", allow: auditors) { request, _, _, _ in try await auditExport(request, format: .csv) }
        page(group, .get, "audit/export.ndjson", allow: auditors) { request, _, _, _ in try await auditExport(request, format: .ndjson) }
        page(group, .get, "agreements/:id/exchange", allow: Set(PrincipalKind.allCases)) { _, context, visitor, _ in
            try await exchange(try context.parameters.require("id"), visitor)
        }
    }

    static let auditFilters = ["agency", "agreement", "resource", "action", "from", "until"]
    static let auditPageSize = 50

    /// The search as the form states it; `after` pages on. Times are read as the API reads them (RFC 3339 with
    /// any offset, or a date meaning 00:00 Beijing time) and compared as instants.
    func auditQuery(_ request: Request, limit: Int) throws -> AuditQuery {
        var after: Int64 = 0
        if let text = Self.filterText(request, "after") {
            guard let value = Int64(text), value >= 0 else { throw ConsolePageError(.badRequest, "error.bad_filter", detail: "after") }
            after = value
        }
        func instant(_ name: String) throws -> Date? {
            guard let text = Self.filterText(request, name) else { return nil }
            // `until` is inclusive to the precision written: a date is its whole day, as in the API.
            guard let date = name == "until" ? Timestamp.lastInstant(through: text) : Timestamp.instant(from: text) else { throw ConsolePageError(.badRequest, "error.bad_filter", detail: name) }
            return date
        }
        return AuditQuery(agency: Self.filterText(request, "agency"), agreement: Self.filterText(request, "agreement"),
                          resource: Self.filterText(request, "resource"), action: Self.filterText(request, "action"), from: try instant("from"), until: try instant("until"),
                          afterSeq: after, limit: limit)
    }

    /// A filter as typed in the form, trimmed and bounded; nil when blank.
    static func filterText(_ request: Request, _ name: String) -> String? {
        request.uri.queryParameters.get(name).flatMap {
            let text = $0.trimmingCharacters(in: .whitespaces)
            return text.isEmpty ? nil : String(text.prefix(100))
        }
    }

    /// The search's filters as typed, to carry into the next page's and the export's links.
    static func filterQueryString(_ request: Request) -> String {
        auditFilters.compactMap { name in
            filterText(request, name).map { "\(name)=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
        }.joined(separator: "&")
    }

    func auditLog(_ request: Request, _ visitor: Visitor) async throws -> Response {
        let query = try auditQuery(request, limit: Self.auditPageSize)
        let page = try await hub.store.auditPage(matching: query, scanLimit: AuditSearchPage.scanLimit)
        let entries = page.entries
        let filters = Self.filterQueryString(request)
        let rows: [[String: Any]] = entries.map { entry in
            [
                "seq": entry.seq, "time": entry.time, "actor": entry.actor, "action": entry.action, "subject": entry.subject,
                "agreement": entry.agreement ?? "", "details": CanonicalJSON.object(entry.details).canonicalString,
                "hash": entry.hash, "prevHash": entry.prevHash,
            ]
        }
        var values: [String: Any] = [
            "rows": rows, "empty": rows.isEmpty,
            "agency": query.agency ?? "", "agreement": query.agreement ?? "", "resource": query.resource ?? "", "action": query.action ?? "",
            "from": Self.filterText(request, "from") ?? "", "until": Self.filterText(request, "until") ?? "",
            "csv": "\(Self.prefix)/audit/export.csv?\(filters)", "ndjson": "\(Self.prefix)/audit/export.ndjson?\(filters)",
            "verify": "\(Self.prefix)/audit/verify",
        ]
        if query.afterSeq > 0 { values["first"] = "\(Self.prefix)/audit?\(filters)" }
        if let next = page.nextAfter(limit: query.limit) {
            values["next"] = "\(Self.prefix)/audit?\(filters)\(filters.isEmpty ? "" : "&")after=\(next)"
            if entries.count < query.limit { values["searchedThrough"] = next }
        }
        return render("audit", title: text("audit.title", visitor), values, for: visitor)
    }

    /// Re-verifies the whole chain from the store against the hub key and its signed checkpoints, as
    /// `gx audit verify` does offline.
    func verifyChain(_ visitor: Visitor) async throws -> Response {
        // The store's one verifier: the chain, its signed checkpoints and the agency index.
        let report = try await hub.store.verifyAuditChain(hubKey: hub.key.publicKey)
        let checkpoints = try await hub.store.auditCheckpoints()
        let checkpoint = report.coveredBySeq.flatMap { seq in checkpoints.first { $0.seq == seq } }
        return render("audit-verify", title: text("verify.title", visitor), [
            "intact": report.verdict == .intact, "unverifiedTail": report.verdict == .unverifiedTail,
            "broken": report.verdict == .broken, "entries": report.entriesChecked, "lastSeq": report.lastSeq, "headHash": report.headHash,
            "checkpoints": report.checkpointsChecked, "coveredBy": report.coveredBySeq.map { String($0) } ?? "",
            "hasCheckpoint": checkpoint != nil, "checkpointTime": checkpoint?.time ?? "",
            "uncovered": report.uncoveredEntries,
            "break": report.firstBreak.map { $0.description } ?? "", "hubKey": Self.fingerprint(hub.key.publicKey.pem),
            "back": "\(Self.prefix)/audit",
        ], for: visitor)
    }

    /// Every entry the search matches (not only the page shown), streamed by the API's own export: a filtered
    /// search downloads as a selection that says so. A checkpoint is signed first, as the API's export does.
    func auditExport(_ request: Request, format: AuditExport.Format) async throws -> Response {
        let search = try auditQuery(request, limit: AuditQuery.maximumLimit)
        try await hub.signCheckpoint()
        return AuditExport.response(store: hub.store, query: search, hubKey: hub.key.publicKey.pem, format: format)
    }
}
