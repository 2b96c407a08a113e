import GXCrypto
import GXDomain
import GXStorage
import Hummingbird

/// Establishes the caller from its bearer token. Every path except the health probes and the API
/// description needs one: deny by default, so a route added without thought is still closed to anonymous
/// callers. Paths under a mount's prefix (the console) pass without a principal: the mount authenticates
/// them with its own sessions. On a mutual-TLS hub the connection's client certificate must name the same principal.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext
    let store: any HubStore
    let requireClientCertificates: Bool
    var mountPrefixes: [String] = []
    static let publicPaths: Set<String> = ["/healthz", "/readyz", "/openapi.yaml"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.publicPaths.contains(request.uri.path) { return try await next(request, context) }
        let path = request.uri.path
        if mountPrefixes.contains(where: { path == $0 || path.hasPrefix($0 + "/") }) { return try await next(request, context) }
        // With mutual TLS the certificate is checked before the token is looked at, and a token that is unknown
        // or not the certificate's principal gets one answer: a stolen token cannot be tested for validity.
        let certified = requireClientCertificates ? try await certifiedPrincipal(context: context) : nil
        let found: Principal?
        if let header = request.headers[.authorization], header.hasPrefix("Bearer "),
           case let token = header.dropFirst("Bearer ".count), !token.isEmpty, token.utf8.count <= 256 {
            found = try await store.principal(forTokenHash: Credentials.hash(of: String(token)))
        } else {
            found = nil
        }
        guard let principal = found, certified == nil || certified == principal else {
            if let certified {
                throw HubAPIError(.unauthorized, "a valid bearer credential of \(certified), the principal the client certificate names, is required (Authorization: Bearer <token>)")
            }
            throw HubAPIError.unauthenticated
        }
        var context = context
        context.principal = principal
        context.logger[metadataKey: "principal"] = "\(principal)"
        return try await next(request, context)
    }

    /// The principal the connection's client certificate names: its one CN is the principal's kind and name
    /// (`agency:<code>`, `admin:<name>`, `auditor:<name>`), so an auditor named like an agency's code is not
    /// that agency, and a stolen token is of no use without the matching certificate and key.
    func certifiedPrincipal(context: Context) async throws -> Principal {
        guard let subject = try await context.clientCertificateSubject() else {
            throw HubAPIError(.unauthorized, "this hub requires a client certificate (mutual TLS) issued by its client CA")
        }
        guard let commonName = subject.commonName else {
            throw HubAPIError(.unauthorized, "the client certificate's subject has \(subject.commonNames.count) CNs; it needs exactly one, naming the principal as agency:<code>, admin:<name> or auditor:<name>")
        }
        guard let principal = Principal(named: commonName) else {
            throw HubAPIError(.unauthorized, "the client certificate's CN '\(commonName)' does not name a principal: it must be agency:<code>, admin:<name> or auditor:<name>")
        }
        return principal
    }
}
