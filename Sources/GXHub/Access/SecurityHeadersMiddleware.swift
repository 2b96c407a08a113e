import Hummingbird

/// Headers every answer carries so that browsers and caches in between handle the API safely: no content
/// sniffing, nothing authenticated kept in a cache, HTTPS remembered for the hub's host under TLS, and a 401
/// that says which scheme it wants.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext
    /// Set when the hub speaks HTTPS: then browsers are told to use nothing else for a year.
    let strictTransportSecurity: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        if !AuthenticationMiddleware.publicPaths.contains(request.uri.path) {
            response.headers[.cacheControl] = "no-store"
        }
        if strictTransportSecurity {
            response.headers[.strictTransportSecurity] = "max-age=31536000"
        }
        if response.status == .unauthorized {
            response.headers[.wwwAuthenticate] = #"Bearer realm="gongxiang""#
        }
        return response
    }
}
