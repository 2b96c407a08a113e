import GXDomain
import Hummingbird

extension Router where Context == HubRequestContext {
    /// Registers a route that states who may call it. The handler only runs for an allowed principal.
    func on(_ method: HTTPRequest.Method, _ path: RouterPath, allow: Set<PrincipalKind>,
            _ handler: @escaping @Sendable (Request, HubRequestContext, Principal) async throws -> Response) {
        self.on(path, method: method) { request, context in
            guard let principal = context.principal else { throw HubAPIError.unauthenticated }
            guard allow.contains(principal.kind) else {
                throw HubAPIError.forbidden(principal, "\(method.rawValue) \(path)")
            }
            return try await handler(request, context, principal)
        }
    }
}
