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
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
              case let token = header.dropFirst("Bearer ".count), !token.isEmpty, token.utf8.count <= 256,
              let principal = try await store.principal(forTokenHash: Credentials.hash(of: String(token)))
        else { throw HubAPIError.unauthenticated }
        if requireClientCertificates { try await checkClientCertificate(context: context, names: principal) }
        var context = context
        context.principal = principal
        context.logger[metadataKey: "principal"] = "\(principal)"
        return try await next(request, context)
    }

    /// The certificate's CN is the agency's code, or the admin's or auditor's name: a stolen token is of no
    /// use without the matching certificate and key, and a certificate cannot borrow another's token.
    func checkClientCertificate(context: Context, names principal: Principal) async throws {
        guard let subject = try await context.clientCertificateSubject() else {
            throw HubAPIError(.unauthorized, "this hub requires a client certificate (mutual TLS) issued by its client CA")
        }
        guard subject.commonName == principal.id else {
            throw HubAPIError(.forbidden, "the client certificate names '\(subject.commonName ?? "")', but the credential belongs to \(principal)")
        }
    }
}
