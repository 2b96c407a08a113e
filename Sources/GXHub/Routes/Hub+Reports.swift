import Foundation
import GXDomain
import GXStorage
import Hummingbird

extension Hub {
    func addReportRoutes(to router: Router<HubRequestContext>) {
        let oversight = OversightWorkflow(hub: self)

        // Cadence per agreement and period of its frequency (admin, auditor; an agency only its own).
        router.on(.get, "/v1/reports/compliance", allow: [.admin, .auditor, .agency]) { request, context, principal in
            let parameters = QueryParameters(request, context)
            let from = try Self.night(parameters, "from"), through = try Self.night(parameters, "to")
            let agency = try oversight.scope(try parameters.text("agency"), for: principal)
            return try JSONResponse.make(try await oversight.compliance(from: from, through: through, agency: agency, now: now()))
        }

        // Figures per month, agency and resource for a year or one month of it.
        router.on(.get, "/v1/reports/statistics", allow: [.admin, .auditor, .agency]) { request, context, principal in
            let parameters = QueryParameters(request, context)
            let year = Int(try parameters.integer("year", in: 2000...2999, default: Int64(Timestamp.beijingDay(of: now()).year)))
            let month = try parameters.text("month").map { Int(try QueryParameters.integer($0, "month", in: 1...12)) }
            let agency = try oversight.scope(try parameters.text("agency"), for: principal)
            return try JSONResponse.make(try await oversight.statistics(year: year, month: month, agency: agency, now: now()))
        }
    }

    /// A night named by its date (YYYY-MM-DD), required.
    static func night(_ parameters: QueryParameters, _ name: String) throws -> CalendarDate {
        guard let text = try parameters.text(name) else { throw HubAPIError(.badRequest, "\(name) is required: a date such as 2026-11-01", field: name) }
        guard let date = CalendarDate(text) else { throw HubAPIError(.badRequest, "expected a date such as 2026-11-01, got '\(text)'", field: name) }
        return date
    }
}
