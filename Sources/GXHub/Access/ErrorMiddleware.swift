import Hummingbird
import Logging

/// Turns every error into a JSON answer; unexpected ones are logged and answered 500 without details.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            if let mapped = HubAPIError.from(error) {
                if mapped.status.code >= 500 { context.logger.error("request failed", metadata: ["error": "\(error)"]) }
                return try mapped.response(from: request, context: context)
            }
            context.logger.error("request failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            return try HubAPIError(.internalServerError, "internal error; the hub log has details").response(from: request, context: context)
        }
    }
}
