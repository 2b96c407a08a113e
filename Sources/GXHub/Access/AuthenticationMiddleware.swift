import GXCrypto
import GXDomain
import GXStorage
import Hummingbird

/// Establishes the caller from its bearer token. Every path except the health probes needs one:
/// deny by default, so a route added without thought is still closed to anonymous callers.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext
    let store: any HubStore
    static let publicPaths: Set<String> = ["/healthz", "/readyz"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.publicPaths.contains(request.uri.path) { return try await next(request, context) }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
              case let token = header.dropFirst("Bearer ".count), !token.isEmpty, token.utf8.count <= 256,
              let principal = try await store.principal(forTokenHash: Credentials.hash(of: String(token)))
        else { throw HubAPIError.unauthenticated }
        var context = context
        context.principal = principal
        context.logger[metadataKey: "principal"] = "\(principal)"
        return try await next(request, context)
    }
}
