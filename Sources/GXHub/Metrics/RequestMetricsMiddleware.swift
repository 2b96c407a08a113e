import Hummingbird

/// Times every request into `gongxiang_http_request_duration_seconds`, labelled with the route's pattern
/// (`/v1/agreements/{id}`, never the concrete path, so labels stay few). The time runs until the response
/// starts: for a streamed delivery or export that is the time to its first byte.
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext
    let metrics: HubMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let status: Int
        defer { metrics.requestFinished(method: request.method.rawValue, route: context.endpointPath ?? "unmatched", status: status, duration: ContinuousClock.now - start) }
        do {
            let response = try await next(request, context)
            status = Int(response.status.code)
            return response
        } catch {
            status = Int((error as? any HTTPResponseError)?.status.code ?? 500)
            throw error
        }
    }
}
